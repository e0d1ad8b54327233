import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Descriptions, Form, Input, Modal, Radio, Row, Select, Space, Table, Tag, Tree, Typography } from 'antd';
import type { DataNode } from 'antd/es/tree';
import { DATA_SCOPES, DATA_SCOPE_LABELS, ROLES, ROLE_LABELS, type Role } from '@shared/org/roles';
import { ApiError, api, type Page } from '../api/client';
import { useDepartments } from '../api/users';
import type { DepartmentDto, UserDto } from '../api/types';
import { dateTime } from '../format';

interface HandoverPreview {
  totals: Record<string, number>;
  successors: Array<{ id: string; name: string; customers: number }>;
}
interface Handover {
  id: string;
  kind: 'resigned' | 'in-service';
  status: 'queued' | 'running' | 'waiting' | 'done' | 'failed';
  from: { id: string; name: string };
  successors: Array<{ id: string; name: string }>;
  startedBy: { id: string; name: string };
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
  wecomUnavailable: number | null;
  progress?: {
    customers?: { total: number; moved: number; skipped: number };
    wecom?: { total: number; requested: number; waiting: number; accepted: number; refused: number; failed: number; timedOut: number };
  };
  report?: {
    perSuccessor: Array<{ id: string; name: string; customers: number; accepted: number; refused: number }>;
    refused: Array<{ customerId: string; name: string | null; successorName: string | null; outcome: 'successor' | 'pool'; reason: string | null }>;
  } | null;
}

const HANDOVER_STATUS: Record<Handover['status'], { label: string; color: string }> = {
  queued: { label: '排队中', color: 'processing' },
  running: { label: '进行中', color: 'processing' },
  waiting: { label: '等待客户确认', color: 'processing' },
  done: { label: '已完成', color: 'success' },
  failed: { label: '失败', color: 'error' },
};
const HANDOVER_KIND: Record<Handover['kind'], string> = { resigned: '离职继承', 'in-service': '在职继承' };
const finished = (h: Handover | undefined) => Boolean(h && ['done', 'failed'].includes(h.status));

function HandoverStatusTag({ h }: { h: Handover | undefined }) {
  const s = HANDOVER_STATUS[h?.status ?? 'queued'];
  return <Tag color={s.color}>{s.label}</Tag>;
}

/** One hand-over, polled while it runs (GET /handovers/:id). */
function useHandover(id: string | null) {
  return useQuery({
    queryKey: ['handover', id],
    queryFn: () => api<Handover>(`/handovers/${id}`),
    enabled: Boolean(id),
    retry: false,
    refetchInterval: (q) => (q.state.error || finished(q.state.data) ? false : 1000),
  });
}

const TOTAL_LABELS: Record<string, string> = {
  customers: '客户',
  contacts: '联系人',
  openOpportunities: '进行中商机',
  pendingContracts: '待签合同',
  approvalsRequested: '发起的审批',
  approvalsWaiting: '待其审批',
  reminders: '提醒',
  externalContacts: '企业微信客户',
  groupChats: '客户群',
};

function departmentTree(deps: DepartmentDto[], names: Map<string, string>): DataNode[] {
  const children = (parentId: string | null): DataNode[] =>
    deps
      .filter((d) => d.parentId === parentId && d.status !== 'archived')
      .sort((a, b) => a.order - b.order)
      .map((d) => ({
        key: d.id,
        title: (
          <span>
            {d.name}
            {d.leaderIds.length > 0 && (
              <Typography.Text type="secondary">（负责人：{d.leaderIds.map((id) => names.get(id) ?? '…').join('、')}）</Typography.Text>
            )}
          </span>
        ),
        children: children(d.id),
      }));
  const ids = new Set(deps.map((d) => d.id));
  // a manager sees part of the tree: the top of what they see has a parent outside it
  const roots = deps.filter((d) => !d.parentId || !ids.has(d.parentId));
  return [...new Set(roots.map((r) => r.parentId))].flatMap((p) => children(p));
}

/** 组织与成员 (admins): departments and their leaders, users with roles, data scope and leader; edit and deactivate. */
export function OrgPage() {
  const [departmentId, setDepartmentId] = useState<string | undefined>();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<'active' | 'resigned'>('active');
  const [editing, setEditing] = useState<UserDto | null>(null);
  const [leaving, setLeaving] = useState<UserDto | null>(null);
  // ?user=<id>: the chat's 发起交接 link (a leaver the directory sync deactivated) opens the hand-over for that person
  const [params, setParams] = useSearchParams();
  const linked = params.get('user');
  const linkedUser = useQuery({ queryKey: ['users', 'one', linked], queryFn: () => api<UserDto>(`/users/${linked}`), enabled: Boolean(linked), retry: false });
  useEffect(() => {
    if (!linkedUser.data) return;
    setStatus(linkedUser.data.status);
    setLeaving(linkedUser.data);
    setParams({}, { replace: true });
  }, [linkedUser.data, setParams]);
  // ?handover=<id>: the chat's 查看交接进度 / 查看报告 links open that hand-over's status and report
  const linkedHandover = params.get('handover');
  const deps = useDepartments();
  const users = useQuery({
    queryKey: ['users', 'org', departmentId, q, status],
    queryFn: () => api<Page<UserDto>>('/users', { query: { departmentId, q: q || undefined, status, limit: 100 } }),
  });
  const everyone = useQuery({ queryKey: ['users', 'all-active'], queryFn: () => api<Page<UserDto>>('/users', { query: { status: 'active', limit: 100 } }) });
  const names = useMemo(() => new Map((everyone.data?.items ?? []).map((u) => [u.id, u.name])), [everyone.data]);
  const depNames = useMemo(() => new Map((deps.data?.items ?? []).map((d) => [d.id, d.name])), [deps.data]);
  const tree = useMemo(() => departmentTree(deps.data?.items ?? [], names), [deps.data, names]);

  return (
    <div>
      <h1 className="page-title">组织与成员</h1>
      <Row gutter={16}>
        <Col xs={24} lg={6} xxl={5}>
          <Card size="small" title="部门" className="department-tree">
            {deps.error && <Alert type="error" message={deps.error.message} />}
            <Tree
              key={tree.length /* expand all once the departments have loaded */}
              treeData={tree}
              defaultExpandAll
              selectedKeys={departmentId ? [departmentId] : []}
              onSelect={(keys) => setDepartmentId((keys[0] as string | undefined) ?? undefined)}
            />
          </Card>
        </Col>
        <Col xs={24} lg={18} xxl={19}>
          <Card
            size="small"
            title={departmentId ? `${depNames.get(departmentId) ?? ''} 的成员` : '全部成员'}
            extra={
              <Space>
                <Radio.Group size="small" value={status} onChange={(e) => setStatus(e.target.value as 'active' | 'resigned')}>
                  <Radio.Button value="active">在职</Radio.Button>
                  <Radio.Button value="resigned">已停用</Radio.Button>
                </Radio.Group>
                <Input.Search size="small" placeholder="姓名" allowClear onSearch={setQ} style={{ width: 160 }} />
              </Space>
            }
          >
            <Table
              className="user-table"
              size="small"
              rowKey="id"
              loading={users.isLoading}
              dataSource={users.data?.items}
              pagination={{ pageSize: 20 }}
              scroll={{ x: 760 }}
              columns={[
                { title: '姓名', dataIndex: 'name', width: 80 },
                { title: '职位', dataIndex: 'title', width: 110, ellipsis: true, render: (v: string | null) => v ?? '—' },
                { title: '部门', dataIndex: 'departmentIds', ellipsis: true, render: (ids: string[]) => ids.map((id) => depNames.get(id) ?? '…').join('、') },
                { title: '角色', dataIndex: 'roles', width: 130, render: (roles: Role[]) => roles.map((r) => <Tag key={r}>{ROLE_LABELS[r]}</Tag>) },
                { title: '数据范围', dataIndex: 'dataScope', width: 130, render: (v: UserDto['dataScope']) => DATA_SCOPE_LABELS[v] },
                { title: '上级', dataIndex: 'leaderId', width: 80, render: (v: string | null) => (v ? (names.get(v) ?? '…') : '—') },
                {
                  title: '操作',
                  key: 'act',
                  width: 110,
                  fixed: 'right',
                  render: (_: unknown, u: UserDto) =>
                    u.status === 'active' ? (
                      <Space size={4}>
                        <Button size="small" type="link" onClick={() => setEditing(u)}>
                          编辑
                        </Button>
                        <Button size="small" type="link" danger onClick={() => setLeaving(u)} className="deactivate">
                          停用
                        </Button>
                      </Space>
                    ) : (
                      <Tag>已停用</Tag>
                    ),
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
      <EditUser user={editing} onClose={() => setEditing(null)} departments={deps.data?.items ?? []} people={everyone.data?.items ?? []} />
      <Deactivate user={leaving} onClose={() => setLeaving(null)} people={everyone.data?.items ?? []} />
      <HandoverDetail id={linkedHandover} onClose={() => setParams({}, { replace: true })} />
    </div>
  );
}

function EditUser({ user, onClose, departments, people }: { user: UserDto | null; onClose: () => void; departments: DepartmentDto[]; people: UserDto[] }) {
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: (v: Pick<UserDto, 'roles' | 'dataScope' | 'leaderId' | 'departmentIds' | 'title'>) =>
      api<UserDto>(`/users/${user!.id}`, { method: 'PATCH', body: v }),
    onSuccess: (u) => {
      void message.success(`已保存：${u.name}`);
      void queryClient.invalidateQueries({ queryKey: ['users'] });
      onClose();
    },
    onError: (e: Error) => void message.error(e.message),
  });
  return (
    <Modal title={user ? `编辑成员：${user.name}` : ''} open={Boolean(user)} onCancel={onClose} footer={null} destroyOnClose>
      {user && (
        <Form
          layout="vertical"
          initialValues={{ roles: user.roles, dataScope: user.dataScope, leaderId: user.leaderId, departmentIds: user.departmentIds, title: user.title ?? '' }}
          onFinish={(v: { roles: Role[]; dataScope: UserDto['dataScope']; leaderId: string | null; departmentIds: string[]; title: string }) =>
            save.mutate({ ...v, leaderId: v.leaderId ?? null })
          }
        >
          <Form.Item name="title" label="职位">
            <Input maxLength={64} />
          </Form.Item>
          <Form.Item name="departmentIds" label="部门" rules={[{ required: true, message: '至少一个部门' }]}>
            <Select mode="multiple" options={departments.map((d) => ({ value: d.id, label: d.name }))} />
          </Form.Item>
          <Form.Item name="roles" label="角色" rules={[{ required: true, message: '至少一个角色' }]}>
            <Select mode="multiple" options={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))} />
          </Form.Item>
          <Form.Item name="dataScope" label="数据范围">
            <Select options={DATA_SCOPES.map((s) => ({ value: s, label: DATA_SCOPE_LABELS[s] }))} />
          </Form.Item>
          <Form.Item name="leaderId" label="直属上级">
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              options={people.filter((p) => p.id !== user.id).map((p) => ({ value: p.id, label: p.name }))}
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={save.isPending}>
            保存
          </Button>
        </Form>
      )}
    </Modal>
  );
}

/**
 * 停用: with the hand-over API (POST /handovers/preview, /handovers) the leaver's customers, deals, approvals and reminders
 * go to the successors first (preview, then run, progress shown); without it, the plain deactivation (POST
 * /users/:id/deactivate) hands over direct reports, pending approvals and reminders.
 */
function Deactivate({ user, onClose, people }: { user: UserDto | null; onClose: () => void; people: UserDto[] }) {
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [successors, setSuccessors] = useState<string[]>([]);
  const [split, setSplit] = useState<'even' | 'by-customer' | 'all-to-one'>('even');
  const [newLeaderId, setNewLeaderId] = useState<string | undefined>();
  const [handoverId, setHandoverId] = useState<string | null>(null);
  const candidates = people.filter((p) => p.id !== user?.id && !p.roles.every((r) => r === 'partner')).map((p) => ({ value: p.id, label: p.name }));

  const preview = useQuery({
    queryKey: ['handover-preview', user?.id, successors, split],
    queryFn: () => api<HandoverPreview>('/handovers/preview', { body: { fromUserId: user!.id, kind: 'resigned', successors, split } }),
    enabled: Boolean(user) && successors.length > 0,
    retry: false,
  });
  const handoverMissing = preview.error instanceof ApiError && preview.error.status === 404 && preview.error.message.startsWith('没有这个接口');
  const progress = useHandover(handoverId);
  const close = () => {
    setSuccessors([]);
    setNewLeaderId(undefined);
    setHandoverId(null);
    void queryClient.invalidateQueries({ queryKey: ['users'] });
    onClose();
  };
  const run = useMutation({
    mutationFn: async () => {
      if (successors.length && !handoverMissing) {
        const h = await api<Handover>('/handovers', {
          body: { fromUserId: user!.id, kind: 'resigned', successors, split, onRefused: 'pool', ...(newLeaderId ? { newLeaderId } : {}) },
        });
        setHandoverId(h.id);
        return 'handover';
      }
      if (user!.status === 'resigned') throw new Error('请选择接手人：该成员已停用，只需交接其客户');
      await api<UserDto>(`/users/${user!.id}/deactivate`, { body: newLeaderId ? { newLeaderId } : {} });
      return 'plain';
    },
    onSuccess: (kind) => {
      if (kind === 'plain') {
        void message.success(`已停用 ${user!.name}`);
        close();
      }
    },
    onError: (e: Error) => void message.error(e.message),
  });

  const h = progress.data;
  return (
    <Modal
      title={user ? (user.status === 'resigned' ? `交接（已停用）：${user.name}` : `停用成员：${user.name}`) : ''}
      open={Boolean(user)}
      onCancel={close}
      footer={null}
      width={640}
      destroyOnClose
      className="deactivate-modal"
    >
      {user && !handoverId && (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Paragraph>
            {user.status === 'resigned'
              ? `${user.name} 已停用。选择接手人后，其名下客户、商机、合同与企业微信客户关系会交接给接手人（离职继承）。`
              : `停用后 ${user.name} 将无法登录。选择接手人后，其客户、商机、合同、审批与提醒会先交接给接手人（离职继承），再停用账号。`}
          </Typography.Paragraph>
          <Form layout="vertical">
            <Form.Item label="接手人（可多选，按规则分配客户）">
              <Select
                mode="multiple"
                className="handover-successors"
                value={successors}
                onChange={setSuccessors}
                options={candidates}
                showSearch
                optionFilterProp="label"
              />
            </Form.Item>
            {successors.length > 1 && (
              <Form.Item label="分配方式">
                <Radio.Group value={split} onChange={(e) => setSplit(e.target.value as typeof split)}>
                  <Radio value="even">平均分配</Radio>
                  <Radio value="by-customer">按地区 / 行业</Radio>
                  <Radio value="all-to-one">全部给第一位</Radio>
                </Radio.Group>
              </Form.Item>
            )}
            <Form.Item label="其直属下属的新上级（不选则交给其上级）">
              <Select allowClear value={newLeaderId} onChange={setNewLeaderId} options={candidates} showSearch optionFilterProp="label" />
            </Form.Item>
          </Form>
          {preview.data && (
            <Descriptions size="small" bordered column={3} title="将交接" className="handover-preview">
              {Object.entries(preview.data.totals).map(([k, v]) => (
                <Descriptions.Item key={k} label={TOTAL_LABELS[k] ?? k}>
                  {v}
                </Descriptions.Item>
              ))}
            </Descriptions>
          )}
          {handoverMissing && <Alert type="info" message="交接服务尚未启用：将直接停用（下属、待办审批与提醒按默认规则转给其上级）。" />}
          {preview.error && !handoverMissing && <Alert type="error" message={preview.error.message} />}
          <Button danger type="primary" block loading={run.isPending} onClick={() => run.mutate()} className="confirm-deactivate">
            {successors.length && !handoverMissing ? '交接并停用' : '停用'}
          </Button>
        </Space>
      )}
      {handoverId && (
        <Space direction="vertical" style={{ width: '100%' }} className="handover-progress">
          <Typography.Paragraph>
            交接状态：
            <HandoverStatusTag h={h} />
          </Typography.Paragraph>
          {h?.progress?.customers && (
            <Typography.Text>
              客户：已转 {h.progress.customers.moved} / {h.progress.customers.total}
            </Typography.Text>
          )}
          {h?.error && <Alert type="error" message={h.error} />}
          <Button block onClick={close}>
            {finished(h) ? '关闭' : '关闭（交接在后台继续）'}
          </Button>
        </Space>
      )}
    </Modal>
  );
}

/**
 * A hand-over opened from its link in chat (/console/org?handover=<id>): who to whom, its status while it runs, what
 * moved, the WeCom transfers and, once done, the report (per successor, the customers who refused).
 */
function HandoverDetail({ id, onClose }: { id: string | null; onClose: () => void }) {
  const q = useHandover(id);
  const h = q.data;
  const c = h?.progress?.customers;
  const w = h?.progress?.wecom;
  return (
    <Modal
      title={h ? `${HANDOVER_KIND[h.kind]}：${h.from.name}` : '交接进度'}
      open={Boolean(id)}
      onCancel={onClose}
      footer={null}
      width={640}
      destroyOnClose
      className="handover-modal"
    >
      {q.isLoading && <Typography.Text type="secondary">加载中…</Typography.Text>}
      {q.error && <Alert type="error" showIcon message="无法打开这次交接" description={q.error.message} />}
      {h && (
        <Space direction="vertical" style={{ width: '100%' }} className="handover-progress">
          <Descriptions size="small" bordered column={2}>
            <Descriptions.Item label="状态">
              <HandoverStatusTag h={h} />
            </Descriptions.Item>
            <Descriptions.Item label="发起人">{h.startedBy.name}</Descriptions.Item>
            <Descriptions.Item label="接手人" span={2}>
              {h.successors.map((s) => s.name).join('、')}
            </Descriptions.Item>
            <Descriptions.Item label="开始">{dateTime(h.createdAt)}</Descriptions.Item>
            <Descriptions.Item label="完成">{dateTime(h.finishedAt)}</Descriptions.Item>
            {c && (
              <Descriptions.Item label="CRM 客户" span={2}>
                已转 {c.moved} / {c.total}
                {c.skipped > 0 && `（跳过 ${c.skipped}）`}
              </Descriptions.Item>
            )}
            {w && w.total > 0 && (
              <Descriptions.Item label="企业微信客户" span={2}>
                共 {w.total}：已接受 {w.accepted}，等待确认 {w.waiting + w.requested}，拒绝 {w.refused}，失败 {w.failed}，超时 {w.timedOut}
              </Descriptions.Item>
            )}
          </Descriptions>
          {h.wecomUnavailable != null && (
            <Alert type="warning" showIcon message={`企业微信未能列出其客户（错误码 ${h.wecomUnavailable}）：只交接了 CRM 中的客户。`} />
          )}
          {h.error && <Alert type="error" showIcon message={h.error} />}
          {h.report && (
            <Table
              className="handover-report"
              size="small"
              rowKey="id"
              pagination={false}
              dataSource={h.report.perSuccessor}
              columns={[
                { title: '接手人', dataIndex: 'name' },
                { title: '客户', dataIndex: 'customers', align: 'right' as const },
                // the WeCom columns only when there were WeCom customers to transfer
                ...(w && w.total > 0
                  ? [
                      { title: '企业微信已接受', dataIndex: 'accepted', align: 'right' as const },
                      { title: '拒绝', dataIndex: 'refused', align: 'right' as const },
                    ]
                  : []),
              ]}
            />
          )}
          {h.report && h.report.refused.length > 0 && (
            <Alert
              type="info"
              message="拒绝转接的客户"
              description={h.report.refused
                .map(
                  (r) =>
                    `${r.name ?? '（未知客户）'}：${r.outcome === 'pool' ? '已退回公海' : `仍归 ${r.successorName ?? '接手人'}`}${r.reason ? `（${r.reason}）` : ''}`,
                )
                .join('；')}
            />
          )}
        </Space>
      )}
    </Modal>
  );
}
