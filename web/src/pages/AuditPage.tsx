import { useState } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import type { Dayjs } from 'dayjs';
import { Button, Card, DatePicker, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { api, type Page } from '../api/client';
import { useUsers } from '../api/users';
import type { AuditEntryDto } from '../api/types';
import { dateTime } from '../format';

const CHANNEL_LABELS: Record<string, string> = { api: '接口', web: '工作台', bot: '聊天', miniapp: '小程序', import: '导入', system: '系统' };
const ENTITY_TYPES = [
  ['customer', '客户'],
  ['contact', '联系人'],
  ['follow-up', '跟进'],
  ['opportunity', '商机'],
  ['contract', '合同'],
  ['approval', '审批'],
  ['user', '成员'],
  ['department', '部门'],
  ['saved-view', '视图'],
  ['export', '导出'],
] as const;

interface AuditFilters {
  actorId?: string;
  entityType?: string;
  entityId?: string;
  from?: string;
  to?: string;
}

const show = (v: unknown): string => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/** 审计日志 (admins, read-only): who did what to which record, when, from where; filters by who / what / when. */
export function AuditPage() {
  const [filters, setFilters] = useState<AuditFilters>({});
  const [range, setRange] = useState<[Dayjs, Dayjs] | null>(null);
  const users = useUsers(undefined, undefined);
  const list = useInfiniteQuery({
    queryKey: ['audit', filters],
    queryFn: ({ pageParam }) => api<Page<AuditEntryDto>>('/audit', { query: { ...filters, limit: 100, cursor: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const names = new Map((users.data?.items ?? []).map((u) => [u.id, u.name]));
  const set = (patch: AuditFilters) => setFilters((f) => Object.fromEntries(Object.entries({ ...f, ...patch }).filter(([, v]) => v)) as AuditFilters);

  return (
    <div>
      <h1 className="page-title">审计日志</h1>
      <Card size="small" style={{ marginBottom: 12 }}>
        <Space wrap>
          <Select
            className="audit-actor"
            style={{ width: 160 }}
            placeholder="操作人"
            allowClear
            showSearch
            optionFilterProp="label"
            options={(users.data?.items ?? []).map((u) => ({ value: u.id, label: u.name }))}
            onChange={(v: string | undefined) => set({ actorId: v })}
          />
          <Select
            className="audit-entity-type"
            style={{ width: 130 }}
            placeholder="对象类型"
            allowClear
            options={ENTITY_TYPES.map(([value, label]) => ({ value, label }))}
            onChange={(v: string | undefined) => set({ entityType: v })}
          />
          <Input.Search placeholder="对象 id" allowClear style={{ width: 230 }} onSearch={(v) => set({ entityId: v.trim() || undefined })} />
          <DatePicker.RangePicker
            value={range}
            onChange={(v) => {
              const r = v && v[0] && v[1] ? ([v[0], v[1]] as [Dayjs, Dayjs]) : null;
              setRange(r);
              set({ from: r?.[0].startOf('day').toISOString(), to: r?.[1].endOf('day').toISOString() });
            }}
          />
          <Typography.Text type="secondary">只读：审计记录不可修改或删除</Typography.Text>
        </Space>
      </Card>
      <Table
        className="audit-table"
        size="small"
        rowKey="id"
        loading={list.isLoading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 1000 }}
        expandable={{
          rowExpandable: (e) => Object.keys(e.changes).length > 0,
          expandedRowRender: (e) => (
            <Table
              size="small"
              pagination={false}
              rowKey="field"
              dataSource={Object.entries(e.changes).map(([field, c]) => ({ field, before: show(c.before), after: show(c.after) }))}
              columns={[
                { title: '字段', dataIndex: 'field', width: 160 },
                { title: '修改前', dataIndex: 'before' },
                { title: '修改后', dataIndex: 'after' },
              ]}
            />
          ),
        }}
        columns={[
          { title: '时间', dataIndex: 'at', width: 150, render: (v: string) => dateTime(v) },
          {
            title: '操作人',
            dataIndex: 'actorName',
            width: 90,
            render: (v: string | undefined, e: AuditEntryDto) => v ?? (e.actorId ? (names.get(e.actorId) ?? e.actorId.slice(-6)) : '系统'),
          },
          { title: '动作', dataIndex: 'action', width: 200, render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
          { title: '对象', dataIndex: 'entityType', width: 90, render: (v: string) => ENTITY_TYPES.find(([k]) => k === v)?.[1] ?? v },
          { title: '对象 id', dataIndex: 'entityId', ellipsis: true },
          { title: '来源', dataIndex: 'channel', width: 80, render: (v: string) => <Tag>{CHANNEL_LABELS[v] ?? v}</Tag> },
          { title: '说明', dataIndex: 'note', ellipsis: true, render: (v?: string) => v ?? '' },
        ]}
        footer={() => (
          <Space>
            <span>已显示 {rows.length} 条</span>
            {list.hasNextPage && (
              <Button size="small" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
                加载更多
              </Button>
            )}
          </Space>
        )}
      />
    </div>
  );
}
