import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Badge, Button, Input, Modal, Space, Steps, Table, Tabs, Tag, Typography } from 'antd';
import { APPROVAL_STATUS_LABELS, APPROVAL_SUBJECT_LABELS, type ApprovalBox, type ApprovalDto } from '@shared/approval/approval.dto';
import { api, type Page } from '../api/client';
import { dateTime, formatMoneyShort } from '../format';

const STATUS_COLORS: Record<string, string> = { pending: 'processing', approved: 'success', rejected: 'error', withdrawn: 'default', expired: 'warning' };
const BOX_LABELS: Record<ApprovalBox, string> = { todo: '待我审批', done: '我已审批', mine: '我发起的' };

function Route({ a }: { a: ApprovalDto }) {
  return (
    <Steps
      size="small"
      current={a.currentStep}
      status={a.status === 'rejected' ? 'error' : a.status === 'approved' ? 'finish' : 'process'}
      items={a.steps.map((s) => ({
        title: s.name,
        description: (
          <div>
            {s.approvers.map((p) => (
              <div key={p.userId}>
                {p.name} {p.decision === 'approve' ? '已同意' : p.decision === 'reject' ? '已驳回' : ''}
                {p.comment ? `：${p.comment}` : ''}
              </div>
            ))}
            {s.reason && <Typography.Text type="secondary">{s.reason}</Typography.Text>}
          </div>
        ),
      }))}
    />
  );
}

/** 审批: the three boxes; a pending approval waiting on the caller is decided in place (同意, or 驳回 with a reason). */
export function ApprovalsPage() {
  const [box, setBox] = useState<ApprovalBox>('todo');
  const [rejecting, setRejecting] = useState<ApprovalDto | null>(null);
  const [reason, setReason] = useState('');
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: ['approvals', box], queryFn: () => api<Page<ApprovalDto>>('/approvals', { query: { box, limit: 100 } }) });
  const todoCount = useQuery({ queryKey: ['approvals', 'todo'], queryFn: () => api<Page<ApprovalDto>>('/approvals', { query: { box: 'todo', limit: 100 } }) })
    .data?.items.length;

  const decide = useMutation({
    mutationFn: (v: { a: ApprovalDto; decision: 'approve' | 'reject'; comment?: string }) =>
      api<ApprovalDto>(`/approvals/${v.a.id}/decision`, { body: { decision: v.decision, comment: v.comment, step: v.a.currentStep } }),
    onSuccess: (a, v) => {
      setRejecting(null);
      setReason('');
      void message.success(`${v.decision === 'approve' ? '已同意' : '已驳回'}：${a.title}`);
      void queryClient.invalidateQueries({ queryKey: ['approvals'] });
    },
    onError: (e: Error) => void message.error(e.message),
  });

  return (
    <div>
      <h1 className="page-title">审批</h1>
      <Tabs
        activeKey={box}
        onChange={(k) => setBox(k as ApprovalBox)}
        items={(['todo', 'done', 'mine'] as const).map((k) => ({
          key: k,
          label:
            k === 'todo' && todoCount ? (
              <Badge count={todoCount} offset={[10, 0]}>
                {BOX_LABELS[k]}
              </Badge>
            ) : (
              BOX_LABELS[k]
            ),
        }))}
      />
      <Table
        className="approval-table"
        rowKey="id"
        loading={list.isLoading}
        dataSource={list.data?.items}
        pagination={{ pageSize: 20 }}
        scroll={{ x: 1100 }}
        expandable={{ expandedRowRender: (a) => <Route a={a} /> }}
        columns={[
          { title: '类型', dataIndex: 'subjectType', width: 100, render: (v: ApprovalDto['subjectType']) => APPROVAL_SUBJECT_LABELS[v] },
          { title: '标题', dataIndex: 'title', ellipsis: true },
          { title: '客户', dataIndex: 'customer', width: 180, ellipsis: true, render: (c: ApprovalDto['customer']) => c?.name ?? '—' },
          { title: '金额', dataIndex: 'amountFen', align: 'right', width: 100, render: (v: number | null) => (v === null ? '—' : formatMoneyShort(v)) },
          { title: '折扣', dataIndex: 'discountPercent', width: 70, render: (v: number | null) => (v === null ? '—' : `${v}%`) },
          { title: '申请人', dataIndex: ['requester', 'name'], width: 90 },
          {
            title: '状态',
            dataIndex: 'status',
            width: 90,
            render: (v: ApprovalDto['status']) => <Badge status={STATUS_COLORS[v] as 'default'} text={APPROVAL_STATUS_LABELS[v]} />,
          },
          { title: '提交时间', dataIndex: 'createdAt', width: 150, render: (v: string) => dateTime(v) },
          ...(box === 'todo'
            ? [
                {
                  title: '操作',
                  key: 'act',
                  width: 150,
                  fixed: 'right' as const,
                  render: (_: unknown, a: ApprovalDto) => (
                    <Space>
                      <Button
                        type="primary"
                        size="small"
                        loading={decide.isPending}
                        onClick={() => decide.mutate({ a, decision: 'approve' })}
                        className="approve"
                      >
                        同意
                      </Button>
                      <Button danger size="small" onClick={() => setRejecting(a)} className="reject">
                        驳回
                      </Button>
                    </Space>
                  ),
                },
              ]
            : [{ title: '', key: 'none', width: 1, render: () => null }]),
        ]}
      />
      <Modal
        title={rejecting ? `驳回：${rejecting.title}` : ''}
        open={Boolean(rejecting)}
        onCancel={() => setRejecting(null)}
        okText="驳回"
        okButtonProps={{ danger: true, disabled: !reason.trim(), loading: decide.isPending }}
        onOk={() => rejecting && decide.mutate({ a: rejecting, decision: 'reject', comment: reason.trim() })}
      >
        <Typography.Paragraph type="secondary">驳回原因会告诉申请人，请写清楚需要改什么。</Typography.Paragraph>
        <Input.TextArea
          rows={3}
          maxLength={500}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder="例如：折扣超过 15%，请先与客户确认付款周期"
        />
        {rejecting?.resubmission && <Tag style={{ marginTop: 8 }}>重新提交</Tag>}
      </Modal>
    </div>
  );
}
