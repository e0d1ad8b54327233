import { useEffect, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Progress,
  Radio,
  Row,
  Select,
  Space,
  Statistic,
  Steps,
  Table,
  Tag,
  Typography,
  Upload,
} from 'antd';
import { DownloadOutlined, InboxOutlined, RollbackOutlined } from '@ant-design/icons';
import { api, download, upload } from '../api/client';
import { dateTime } from '../format';

type Status = 'draft' | 'dry_running' | 'dry_run' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'rollback_queued' | 'rolling_back' | 'rolled_back';
type Dedupe = 'skip' | 'update' | 'create';
interface Report {
  rows: number;
  create: number;
  update: number;
  skip: number;
  reject: number;
  reasons: Record<string, number>;
  cleansing: Record<string, { changed: number; examples: Array<{ line: number; before: string; after: string }> }>;
  problems: Array<{ line: number; kind: 'reject' | 'skip' | 'warning'; message: string }>;
  /** Rows that added another person to a customer (新增联系人). */
  contactsAdded?: number;
  entities?: Record<'contacts' | 'followUps' | 'opportunities', { create: number; skip: number; reject: number }>;
}
interface ImportJob {
  id: string;
  status: Status;
  fileName: string;
  headers: string[];
  mapping: Array<{ column: number; header: string; field: string | null }>;
  fields: Array<{ key: string; label: string }>;
  ownerFallback: { mode: 'pool' | 'owner'; ownerId: string | null };
  dedupe: Dedupe;
  dryRun: Report | null;
  run: Report | null;
  progress: { done: number; total: number; percent: number; rowsPerSecond: number; etaSeconds: number | null };
  rollback: { removed: number; restored: number; kept: number; keptExamples: string[] } | null;
  error: string | null;
  createdAt: string;
}

const STATUS_LABELS: Record<Status, [string, string]> = {
  draft: ['待映射', 'default'],
  dry_running: ['试导入中', 'processing'],
  dry_run: ['已试导入', 'blue'],
  queued: ['排队中', 'processing'],
  running: ['导入中', 'processing'],
  done: ['已完成', 'success'],
  failed: ['失败', 'error'],
  cancelled: ['已取消', 'warning'],
  rollback_queued: ['回滚排队中', 'processing'],
  rolling_back: ['回滚中', 'processing'],
  rolled_back: ['已回滚', 'default'],
};
const BUSY: Status[] = ['dry_running', 'queued', 'running', 'rollback_queued', 'rolling_back'];
const step = (s: Status) => (s === 'draft' ? 1 : s === 'dry_running' || s === 'dry_run' ? 2 : s === 'queued' || s === 'running' ? 3 : 4);

function ReportView({ r, title }: { r: Report; title: string }) {
  return (
    <Card size="small" title={title} style={{ marginTop: 12 }}>
      <Row gutter={16}>
        {(
          [
            ['行数', r.rows],
            ['新建', r.create],
            ['更新', r.update],
            ['新增联系人', r.contactsAdded ?? 0],
            ['跳过', r.skip],
            ['拒绝', r.reject],
          ] as const
        ).map(([label, v]) => (
          <Col key={label} span={4}>
            <Statistic title={label} value={v} />
          </Col>
        ))}
      </Row>
      {r.entities &&
        r.entities.followUps.create +
          r.entities.followUps.skip +
          r.entities.followUps.reject +
          r.entities.opportunities.create +
          r.entities.opportunities.skip +
          r.entities.opportunities.reject >
          0 && (
          <Typography.Paragraph style={{ marginTop: 12 }}>
            {(
              [
                ['跟进记录（含备注）', r.entities.followUps],
                ['商机', r.entities.opportunities],
              ] as const
            ).map(([label, c]) => (
              <span key={label} style={{ marginRight: 16 }}>
                {label}：新建 {c.create}，随行跳过 {c.skip}，无法识别 {c.reject}
              </span>
            ))}
          </Typography.Paragraph>
        )}
      {Object.keys(r.reasons).length > 0 && (
        <Typography.Paragraph style={{ marginTop: 12 }}>
          原因：
          {Object.entries(r.reasons).map(([k, n]) => (
            <Tag key={k}>
              {k} × {n}
            </Tag>
          ))}
        </Typography.Paragraph>
      )}
      {Object.keys(r.cleansing).length > 0 && (
        <Descriptions size="small" column={1} bordered title="清洗（改前 → 改后）">
          {Object.entries(r.cleansing).map(([col, c]) => (
            <Descriptions.Item key={col} label={`${col}（${c.changed} 处）`}>
              {c.examples.slice(0, 3).map((e) => (
                <div key={e.line}>
                  第 {e.line} 行：{e.before} → {e.after}
                </div>
              ))}
            </Descriptions.Item>
          ))}
        </Descriptions>
      )}
      {r.problems.length > 0 && (
        <Table
          size="small"
          style={{ marginTop: 12 }}
          rowKey={(p) => `${p.line}-${p.message}`}
          pagination={{ pageSize: 10 }}
          dataSource={r.problems}
          columns={[
            { title: '行', dataIndex: 'line', width: 70 },
            {
              title: '类型',
              dataIndex: 'kind',
              width: 80,
              render: (k: string) => (
                <Tag color={k === 'reject' ? 'red' : k === 'skip' ? 'orange' : 'blue'}>{{ reject: '拒绝', skip: '跳过', warning: '提醒' }[k]}</Tag>
              ),
            },
            { title: '说明', dataIndex: 'message' },
          ]}
        />
      )}
    </Card>
  );
}

/** 导入 (managers, admins): drop a file, check the suggested mapping, dry run, run with progress, roll back. */
export function ImportPage() {
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [jobId, setJobId] = useState<string | null>(null);
  const [mapping, setMapping] = useState<Record<number, string | null>>({});
  const [fallback, setFallback] = useState<'pool' | 'owner'>('owner');
  const [dedupe, setDedupe] = useState<Dedupe>('skip');

  const history = useQuery({ queryKey: ['imports'], queryFn: () => api<{ items: ImportJob[] }>('/imports') });
  const job = useQuery({
    queryKey: ['imports', jobId],
    queryFn: () => api<ImportJob>(`/imports/${jobId}`),
    enabled: Boolean(jobId),
    refetchInterval: (q) => (q.state.data && BUSY.includes(q.state.data.status) ? 1000 : false),
  });
  const j = job.data;
  // the list beside shows each import's status: refreshed whenever the open one changes state
  useEffect(() => {
    if (j?.status) void queryClient.invalidateQueries({ queryKey: ['imports'], exact: true });
  }, [j?.status, queryClient]);
  const refresh = (next: ImportJob) => {
    queryClient.setQueryData(['imports', next.id], next);
    void queryClient.invalidateQueries({ queryKey: ['imports'] });
  };
  const act = useMutation({
    mutationFn: ({ path, body }: { path: string; body?: unknown }) => api<ImportJob>(`/imports/${jobId}/${path}`, { body: body ?? {} }),
    onSuccess: refresh,
    onError: (e: Error) => void message.error(e.message),
  });
  const open = (x: ImportJob) => {
    setJobId(x.id);
    setMapping(Object.fromEntries(x.mapping.map((m) => [m.column, m.field])));
    setDedupe(x.dedupe);
    setFallback(x.ownerFallback.mode);
    queryClient.setQueryData(['imports', x.id], x);
  };
  const dryRun = () =>
    act.mutate({
      path: 'dry-run',
      body: { mapping: Object.entries(mapping).map(([column, field]) => ({ column: Number(column), field })), ownerFallback: { mode: fallback }, dedupe },
    });

  return (
    <div>
      <h1 className="page-title">导入</h1>
      <Row gutter={16}>
        <Col xs={24} xl={16}>
          <Card size="small">
            <Upload.Dragger
              className="import-upload"
              accept=".xlsx,.csv"
              showUploadList={false}
              customRequest={({ file, onSuccess, onError }) => {
                const form = new FormData();
                form.append('entity', 'customers');
                form.append('file', file as Blob);
                upload<ImportJob>('/imports', form)
                  .then((x) => {
                    open(x);
                    void queryClient.invalidateQueries({ queryKey: ['imports'] });
                    onSuccess?.(x);
                  })
                  .catch((e: Error) => {
                    void message.error(e.message);
                    onError?.(e);
                  });
              }}
            >
              <p className="ant-upload-drag-icon">
                <InboxOutlined />
              </p>
              <p className="ant-upload-text">把客户 Excel（.xlsx）或 CSV 拖到这里，或点击选择</p>
              <p className="ant-upload-hint">先试导入看结果，再正式导入；导入后可整批回滚。</p>
            </Upload.Dragger>
            {j && (
              <div className="import-job" style={{ marginTop: 16 }}>
                <Steps
                  size="small"
                  current={step(j.status)}
                  status={j.status === 'failed' ? 'error' : undefined}
                  items={[{ title: '上传' }, { title: '映射' }, { title: '试导入' }, { title: '导入' }, { title: '完成' }]}
                />
                <Typography.Title level={5} style={{ marginTop: 16 }}>
                  {j.fileName} <Tag color={STATUS_LABELS[j.status][1]}>{STATUS_LABELS[j.status][0]}</Tag>
                </Typography.Title>
                {j.error && <Alert type="error" message={j.error} />}
                {(j.status === 'draft' || j.status === 'dry_run') && (
                  <>
                    <Table
                      size="small"
                      rowKey="column"
                      pagination={false}
                      dataSource={j.mapping}
                      className="import-mapping"
                      columns={[
                        { title: '文件中的列', dataIndex: 'header' },
                        {
                          title: '导入为',
                          key: 'field',
                          render: (_: unknown, m) => (
                            <Select
                              style={{ width: 200 }}
                              allowClear
                              placeholder="不导入"
                              value={mapping[m.column] ?? undefined}
                              onChange={(v: string | undefined) => setMapping((x) => ({ ...x, [m.column]: v ?? null }))}
                              options={j.fields.map((f) => ({ value: f.key, label: f.label }))}
                            />
                          ),
                        },
                      ]}
                    />
                    <Space direction="vertical" style={{ marginTop: 12 }}>
                      <Space>
                        负责人为空或找不到时：
                        <Radio.Group value={fallback} onChange={(e) => setFallback(e.target.value as 'pool' | 'owner')}>
                          <Radio value="owner">交给我</Radio>
                          <Radio value="pool">放入公海</Radio>
                        </Radio.Group>
                      </Space>
                      <Space>
                        已有的客户：
                        <Radio.Group value={dedupe} onChange={(e) => setDedupe(e.target.value as Dedupe)}>
                          <Radio value="skip">跳过</Radio>
                          <Radio value="update">更新</Radio>
                          <Radio value="create">仍然新建</Radio>
                        </Radio.Group>
                      </Space>
                      <Space>
                        <Button onClick={dryRun} loading={act.isPending} className="import-dry-run">
                          试导入
                        </Button>
                        {j.status === 'dry_run' && (
                          <Button type="primary" onClick={() => act.mutate({ path: 'run', body: { dedupe } })} loading={act.isPending} className="import-run">
                            正式导入
                          </Button>
                        )}
                      </Space>
                    </Space>
                  </>
                )}
                {(j.status === 'queued' || j.status === 'running' || j.status === 'rolling_back' || j.status === 'rollback_queued') && (
                  <Space direction="vertical" style={{ width: '100%', marginTop: 12 }}>
                    <Progress percent={j.progress.percent} status="active" />
                    <Typography.Text type="secondary">
                      {j.progress.done} / {j.progress.total} 行 · {Math.round(j.progress.rowsPerSecond)} 行/秒
                      {j.progress.etaSeconds !== null ? ` · 约 ${Math.ceil(j.progress.etaSeconds)} 秒后完成` : ''}
                    </Typography.Text>
                    {j.status !== 'rolling_back' && j.status !== 'rollback_queued' && (
                      <Button danger onClick={() => act.mutate({ path: 'cancel' })}>
                        取消导入
                      </Button>
                    )}
                  </Space>
                )}
                {j.rollback && (
                  <Alert
                    style={{ marginTop: 12 }}
                    type="info"
                    message={`已回滚：删除新建 ${j.rollback.removed}，恢复更新 ${j.rollback.restored}，保留（已被他人修改）${j.rollback.kept}`}
                  />
                )}
                <Space style={{ marginTop: 12 }}>
                  {j.dryRun?.reject || j.run?.reject ? (
                    <Button
                      icon={<DownloadOutlined />}
                      onClick={() => void download(`/imports/${j.id}/errors.xlsx`, {}, '未导入的行.xlsx').catch((e: Error) => message.error(e.message))}
                    >
                      下载未导入的行
                    </Button>
                  ) : null}
                  {(j.status === 'done' || j.status === 'cancelled') && (
                    <Button icon={<RollbackOutlined />} onClick={() => act.mutate({ path: 'rollback' })} loading={act.isPending} className="import-rollback">
                      整批回滚
                    </Button>
                  )}
                </Space>
                {j.run && <ReportView r={j.run} title="导入结果" />}
                {!j.run && j.dryRun && <ReportView r={j.dryRun} title="试导入报告（尚未写入）" />}
              </div>
            )}
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card size="small" title="我的导入">
            {history.data?.items.length === 0 && <Empty description="还没有导入" />}
            <Table
              size="small"
              rowKey="id"
              pagination={{ pageSize: 10 }}
              dataSource={history.data?.items}
              onRow={(x) => ({ onClick: () => open(x), style: { cursor: 'pointer' } })}
              columns={[
                { title: '文件', dataIndex: 'fileName', ellipsis: true },
                { title: '状态', dataIndex: 'status', width: 90, render: (s: Status) => <Tag color={STATUS_LABELS[s][1]}>{STATUS_LABELS[s][0]}</Tag> },
                { title: '时间', dataIndex: 'createdAt', width: 140, render: (v: string) => dateTime(v) },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </div>
  );
}
