import { useMemo, useState } from 'react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { DeleteOutlined, DownloadOutlined, SaveOutlined, SwapOutlined, UploadOutlined } from '@ant-design/icons';
import { CUSTOMER_SOURCES, CUSTOMER_STATUSES, CUSTOMER_TIERS } from '@shared/customer/crm-enums';
import { api, download, type Page } from '../api/client';
import { useMe } from '../api/me';
import { useUsers } from '../api/users';
import type { CustomerListItem } from '../api/types';
import { date, dateTime } from '../format';

export interface CustomerFilters {
  q?: string;
  owner?: string;
  tier?: string;
  status?: string;
  source?: string;
}
interface SavedView {
  id: string;
  name: string;
  filters: CustomerFilters;
}
interface BulkResult {
  done: number;
  failed: number;
  results: Array<{ id: string; ok: boolean; error?: { code: string; message: string } }>;
}

const STATUS_LABELS: Record<(typeof CUSTOMER_STATUSES)[number], string> = { owned: '私有', pool: '公海' };
const clean = (f: CustomerFilters): CustomerFilters => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== '')) as CustomerFilters;

export function CustomersPage() {
  const me = useMe().data!;
  const canTransfer = me.permissions.includes('record.transfer');
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const [filters, setFilters] = useState<CustomerFilters>({});
  const [search, setSearch] = useState('');
  const [viewId, setViewId] = useState<string | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [transferOpen, setTransferOpen] = useState(false);
  const [saveOpen, setSaveOpen] = useState(false);

  const list = useInfiniteQuery({
    queryKey: ['customers', filters],
    queryFn: ({ pageParam }) => api<Page<CustomerListItem>>('/customers', { query: { ...filters, limit: 100, cursor: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const views = useQuery({
    queryKey: ['saved-views', 'customers'],
    queryFn: () => api<{ items: SavedView[] }>('/saved-views', { query: { page: 'customers' } }),
  });
  const users = useUsers();

  const apply = (next: CustomerFilters, fromView: string | null = null) => {
    setFilters(clean(next));
    setSearch(next.q ?? '');
    setViewId(fromView);
    setSelected([]);
  };
  const set = (key: keyof CustomerFilters, value: string | undefined) => apply({ ...filters, [key]: value });

  const afterBulk = (what: string, res: BulkResult) => {
    setSelected([]);
    void queryClient.invalidateQueries({ queryKey: ['customers'] });
    void queryClient.invalidateQueries({ queryKey: ['reports'] });
    if (!res.failed) void message.success(`已${what} ${res.done} 位客户`);
    else
      modal.warning({
        title: `${what}：成功 ${res.done}，失败 ${res.failed}`,
        content: (
          <ul style={{ paddingLeft: 18 }}>
            {res.results
              .filter((r) => !r.ok)
              .slice(0, 20)
              .map((r) => (
                <li key={r.id}>
                  {rows.find((c) => c.id === r.id)?.name ?? r.id}：{r.error?.message}
                </li>
              ))}
          </ul>
        ),
      });
  };
  const release = useMutation({
    mutationFn: () => api<BulkResult>('/customers/bulk/release', { body: { ids: selected, reason: '工作台批量释放' } }),
    onSuccess: (res) => afterBulk('释放到公海', res),
    onError: (e: Error) => void message.error(e.message),
  });
  const transfer = useMutation({
    mutationFn: (v: { ownerId: string; reason?: string }) => api<BulkResult>('/customers/bulk/transfer', { body: { ids: selected, ...v } }),
    onSuccess: (res) => {
      setTransferOpen(false);
      afterBulk('转移', res);
    },
    onError: (e: Error) => void message.error(e.message),
  });
  const saveView = useMutation({
    mutationFn: (name: string) => api<SavedView>('/saved-views', { body: { page: 'customers', name, filters } }),
    onSuccess: (v) => {
      setSaveOpen(false);
      setViewId(v.id);
      void queryClient.invalidateQueries({ queryKey: ['saved-views'] });
      void message.success(`已保存视图「${v.name}」`);
    },
    onError: (e: Error) => void message.error(e.message),
  });
  const deleteView = useMutation({
    mutationFn: (id: string) => api<SavedView>(`/saved-views/${id}`, { method: 'DELETE' }),
    onSuccess: () => {
      setViewId(null);
      void queryClient.invalidateQueries({ queryKey: ['saved-views'] });
    },
  });
  const exportXlsx = async () => {
    try {
      await download('/exports/customers', { ...filters, format: 'xlsx' }, '客户.xlsx');
    } catch (e) {
      void message.error((e as Error).message);
    }
  };

  const userOptions = (users.data?.items ?? []).filter((u) => !u.roles.every((r) => r === 'partner')).map((u) => ({ value: u.id, label: u.name }));
  return (
    <div>
      <h1 className="page-title">客户</h1>
      <Card size="small" style={{ marginBottom: 12 }}>
        <Space wrap>
          <Select
            className="view-picker"
            style={{ width: 200 }}
            placeholder="已保存的视图"
            allowClear
            value={viewId ?? undefined}
            options={(views.data?.items ?? []).map((v) => ({ value: v.id, label: v.name }))}
            onChange={(id: string | undefined) => {
              const v = views.data?.items.find((x) => x.id === id);
              apply(v ? v.filters : {}, v?.id ?? null);
            }}
          />
          {viewId && (
            <Popconfirm title="删除这个视图？" onConfirm={() => deleteView.mutate(viewId)}>
              <Button icon={<DeleteOutlined />} />
            </Popconfirm>
          )}
          <Input.Search
            className="customer-search"
            placeholder="客户名、公司、电话、拼音"
            allowClear
            style={{ width: 240 }}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            onSearch={(v) => set('q', v.trim() || undefined)}
          />
          <Select
            style={{ width: 140 }}
            placeholder="负责人"
            allowClear
            showSearch
            optionFilterProp="label"
            value={filters.owner}
            onChange={(v: string | undefined) => set('owner', v)}
            options={[{ value: 'me', label: '我负责的' }, ...userOptions]}
          />
          <Select
            style={{ width: 110 }}
            placeholder="级别"
            allowClear
            value={filters.tier}
            onChange={(v: string | undefined) => set('tier', v)}
            options={CUSTOMER_TIERS.map((t) => ({ value: t, label: `${t} 级` }))}
          />
          <Select
            style={{ width: 110 }}
            placeholder="状态"
            allowClear
            value={filters.status}
            onChange={(v: string | undefined) => set('status', v)}
            options={CUSTOMER_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))}
          />
          <Select
            style={{ width: 130 }}
            placeholder="来源"
            allowClear
            value={filters.source}
            onChange={(v: string | undefined) => set('source', v)}
            options={CUSTOMER_SOURCES.map((s) => ({ value: s, label: s }))}
          />
          <Button icon={<SaveOutlined />} onClick={() => setSaveOpen(true)} disabled={!Object.keys(filters).length} className="save-view">
            保存为视图
          </Button>
          <Button icon={<DownloadOutlined />} onClick={() => void exportXlsx()}>
            导出 Excel
          </Button>
        </Space>
      </Card>
      {selected.length > 0 && (
        <Alert
          style={{ marginBottom: 12 }}
          type="info"
          message={
            <Space>
              <span>已选 {selected.length} 位客户</span>
              {canTransfer && (
                <Button size="small" icon={<SwapOutlined />} onClick={() => setTransferOpen(true)} className="bulk-transfer">
                  批量转移
                </Button>
              )}
              <Popconfirm title={`把 ${selected.length} 位客户释放到公海？`} onConfirm={() => release.mutate()}>
                <Button size="small" icon={<UploadOutlined />} loading={release.isPending} className="bulk-release">
                  释放到公海
                </Button>
              </Popconfirm>
              <Button size="small" type="link" onClick={() => setSelected([])}>
                取消选择
              </Button>
            </Space>
          }
        />
      )}
      <Table
        className="customer-table"
        size="middle"
        rowKey="id"
        loading={list.isLoading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 960 }}
        rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]) }}
        columns={[
          { title: '客户', dataIndex: 'name', fixed: 'left', width: 140, render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
          { title: '公司', dataIndex: 'company', ellipsis: true, render: (v?: string) => v ?? '—' },
          { title: '级别', dataIndex: 'tier', width: 70, render: (v: string) => <Tag color={v === 'A' ? 'red' : v === 'B' ? 'orange' : 'default'}>{v}</Tag> },
          { title: '来源', dataIndex: 'source', width: 100 },
          {
            title: '负责人',
            dataIndex: 'ownerName',
            width: 100,
            render: (v: string | null, c) => (c.status === 'pool' ? <Tag color="purple">公海</Tag> : (v ?? '—')),
          },
          {
            title: '最近跟进',
            dataIndex: 'lastFollowUpAt',
            width: 150,
            render: (v: string | null) => (v ? dateTime(v) : <Typography.Text type="secondary">从未</Typography.Text>),
          },
          { title: '下次跟进', dataIndex: 'nextFollowUpAt', width: 120, render: (v: string | null) => date(v) },
          { title: '创建', dataIndex: 'createdAt', width: 110, render: (v: string) => date(v) },
        ]}
        footer={() => (
          <Space>
            <span>已显示 {rows.length} 位客户</span>
            {list.hasNextPage && (
              <Button size="small" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
                加载更多
              </Button>
            )}
          </Space>
        )}
      />
      <Modal title={`转移 ${selected.length} 位客户`} open={transferOpen} onCancel={() => setTransferOpen(false)} footer={null} destroyOnClose>
        <Form layout="vertical" onFinish={(v: { ownerId: string; reason?: string }) => transfer.mutate(v)}>
          <Form.Item name="ownerId" label="新负责人" rules={[{ required: true, message: '请选择新负责人' }]}>
            <Select showSearch optionFilterProp="label" options={userOptions} placeholder="选择成员" className="transfer-owner" />
          </Form.Item>
          <Form.Item name="reason" label="原因">
            <Input maxLength={200} placeholder="例如：区域调整" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={transfer.isPending} block>
            确认转移
          </Button>
        </Form>
      </Modal>
      <Modal title="保存为视图" open={saveOpen} onCancel={() => setSaveOpen(false)} footer={null} destroyOnClose>
        <Form layout="vertical" onFinish={(v: { name: string }) => saveView.mutate(v.name)}>
          <Form.Item name="name" label="视图名称" rules={[{ required: true, message: '请输入名称' }]}>
            <Input maxLength={40} placeholder="例如：我的 A 级客户" className="view-name" />
          </Form.Item>
          <Tooltip title="只保存筛选条件；打开视图时按你当时的数据范围显示">
            <Typography.Text type="secondary">只保存筛选条件，不保存数据。</Typography.Text>
          </Tooltip>
          <Button type="primary" htmlType="submit" loading={saveView.isPending} block style={{ marginTop: 12 }}>
            保存
          </Button>
        </Form>
      </Modal>
    </div>
  );
}
