import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Col, Descriptions, Row, Table, Tag, Typography } from 'antd';
import { api } from '../api/client';

interface Stage {
  key: string;
  name: string;
  probability: number;
  slaDays: number | null;
  outcome: 'open' | 'won' | 'lost';
}
interface Rule {
  id: string;
  subject: string;
  when?: unknown;
  steps: Array<{ key: string; name: string; order: number; mode: 'any' | 'all'; approvers: unknown[] }>;
}
interface Settings {
  stages: Stage[];
  protectionDays: number;
  approvals: { rules?: Rule[]; remindAfterHours?: number; escalateAfterHours?: number; expireAfterHours?: number };
  reminders: {
    hours?: { quietStartMinute: number; quietEndMinute: number; workingDays: number[] };
    digestMinute?: number;
    stalledManagerAfterDays?: number;
    coldDaysByTier?: Record<string, number | null>;
    replyWindowMinutes?: number;
    [k: string]: unknown;
  };
  where: Array<{ topic: string; file: string; env: string[] }>;
}

const clock = (m: number | undefined) => (m === undefined ? '—' : `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
const WEEKDAYS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const SUBJECTS: Record<string, string> = { contract: '合同审批', discount: '折扣审批', 'customer-report': '客户报备' };

function approverText(a: unknown): string {
  const x = a as { type: string; users?: string[]; role?: string; levels?: number; department?: string };
  if (x.type === 'users') return `指定人：${x.users?.join('、')}`;
  if (x.type === 'role') return `本部门${x.role === 'manager' ? '经理' : x.role}`;
  if (x.type === 'directLeader') return '直属上级';
  if (x.type === 'supervisor') return `上 ${x.levels} 级主管`;
  if (x.type === 'departmentLeader') return `${x.department}负责人`;
  return JSON.stringify(a);
}

/** 设置 (admins, read-only): stages with their time limits, approval rules and the reminder policy, and where each is changed. */
export function SettingsPage() {
  const s = useQuery({ queryKey: ['settings'], queryFn: () => api<Settings>('/settings') });
  if (s.error) return <Alert type="error" message="无法读取设置" description={s.error.message} />;
  const d = s.data;
  return (
    <div>
      <h1 className="page-title">设置</h1>
      <Alert
        style={{ marginBottom: 16 }}
        type="info"
        showIcon
        message="这些设置在此只读展示"
        description={
          <ul style={{ margin: 0, paddingLeft: 18 }}>
            {d?.where.map((w) => (
              <li key={w.topic}>
                {w.topic}：<Typography.Text code>{w.file}</Typography.Text>
                {w.env.length > 0 && (
                  <>
                    {' '}
                    或环境变量{' '}
                    {w.env.map((e) => (
                      <Typography.Text code key={e}>
                        {e}
                      </Typography.Text>
                    ))}
                  </>
                )}
              </li>
            ))}
          </ul>
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card size="small" title="商机阶段与停留时限" className="settings-stages">
            <Table
              size="small"
              rowKey="key"
              loading={s.isLoading}
              pagination={false}
              dataSource={d?.stages}
              columns={[
                { title: '阶段', dataIndex: 'name' },
                { title: '赢率', dataIndex: 'probability', render: (v: number) => `${Math.round(v <= 1 ? v * 100 : v)}%` },
                { title: '停留时限', dataIndex: 'slaDays', render: (v: number | null) => (v === null ? '—' : `${v} 天`) },
                {
                  title: '类型',
                  dataIndex: 'outcome',
                  render: (v: Stage['outcome']) => (
                    <Tag color={v === 'won' ? 'green' : v === 'lost' ? 'red' : 'blue'}>{{ open: '进行中', won: '赢单', lost: '输单' }[v]}</Tag>
                  ),
                },
              ]}
            />
            {d && <Typography.Paragraph style={{ marginTop: 8 }}>客户保护期：{d.protectionDays} 天</Typography.Paragraph>}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title="提醒策略" className="settings-reminders">
            {d && (
              <Descriptions size="small" column={1} bordered>
                <Descriptions.Item label="免打扰时段">
                  {d.reminders.hours && d.reminders.hours.quietStartMinute !== d.reminders.hours.quietEndMinute
                    ? `${clock(d.reminders.hours.quietStartMinute)}–${clock(d.reminders.hours.quietEndMinute)}`
                    : '关闭'}
                </Descriptions.Item>
                <Descriptions.Item label="工作日">{d.reminders.hours?.workingDays.map((n) => WEEKDAYS[n]).join('、')}</Descriptions.Item>
                <Descriptions.Item label="每日摘要">{clock(d.reminders.digestMinute)}</Descriptions.Item>
                <Descriptions.Item label="停滞商机提醒经理">{d.reminders.stalledManagerAfterDays} 天后</Descriptions.Item>
                <Descriptions.Item label="客户冷却（未跟进）">
                  {Object.entries(d.reminders.coldDaysByTier ?? {})
                    .map(([t, n]) => `${t} 级 ${n === null ? '不提醒' : `${n} 天`}`)
                    .join('，')}
                </Descriptions.Item>
                <Descriptions.Item label="聊天回复归属窗口">{d.reminders.replyWindowMinutes} 分钟</Descriptions.Item>
              </Descriptions>
            )}
          </Card>
        </Col>
        <Col span={24}>
          <Card size="small" title="审批规则" className="settings-approvals">
            {d && (
              <>
                <Typography.Paragraph type="secondary">
                  审批人 {d.approvals.remindAfterHours} 小时未处理会被提醒，{d.approvals.escalateAfterHours} 小时后升级给其上级，{d.approvals.expireAfterHours}{' '}
                  小时仍未完成则过期。
                </Typography.Paragraph>
                <Table
                  size="small"
                  rowKey="id"
                  pagination={false}
                  dataSource={d.approvals.rules ?? []}
                  columns={[
                    { title: '规则', dataIndex: 'id', width: 200 },
                    { title: '类型', dataIndex: 'subject', width: 100, render: (v: string) => SUBJECTS[v] ?? v },
                    { title: '条件', dataIndex: 'when', render: (v: unknown) => (v ? <Typography.Text code>{JSON.stringify(v)}</Typography.Text> : '所有') },
                    {
                      title: '审批步骤',
                      dataIndex: 'steps',
                      render: (steps: Rule['steps']) =>
                        steps
                          .slice()
                          .sort((a, b) => a.order - b.order)
                          .map((st) => `${st.name}（${st.approvers.map(approverText).join(' / ')}${st.mode === 'all' ? '，全部同意' : ''}）`)
                          .join(' → '),
                    },
                  ]}
                />
              </>
            )}
          </Card>
        </Col>
      </Row>
    </div>
  );
}
