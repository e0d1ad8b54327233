import { useMemo, useState } from 'react';
import type { Dayjs } from 'dayjs';
import { Alert, App, Button, Card, Col, DatePicker, Drawer, Empty, Radio, Row, Segmented, Select, Space, Statistic, Table, Tabs, Tag, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import type { ColumnsType } from 'antd/es/table';
import { ApiError, download, type Query } from '../api/client';
import {
  useAdoption,
  useCycle,
  useDrill,
  useForgotten,
  useFunnel,
  useRanking,
  useSources,
  useStalled,
  type DrillRequest,
  type DrillRowDto,
  type PeriodQuery,
} from '../api/reports';
import { Chart, type ChartOption } from '../components/Chart';
import { dateTime, formatMoneyShort, percent, yuan } from '../format';

type RankingMetric = 'contractAmountFen' | 'wonAmountFen' | 'dealsWon' | 'newCustomers' | 'followUps';
const RANKING_METRICS: Array<{ value: RankingMetric; label: string; money: boolean; drill: 'contracts' | 'won' | 'customers' | 'followUps' }> = [
  { value: 'contractAmountFen', label: '签约金额', money: true, drill: 'contracts' },
  { value: 'wonAmountFen', label: '赢单金额', money: true, drill: 'won' },
  { value: 'dealsWon', label: '赢单数', money: false, drill: 'won' },
  { value: 'newCustomers', label: '新客户', money: false, drill: 'customers' },
  { value: 'followUps', label: '跟进', money: false, drill: 'followUps' },
];

const PERIODS = [
  { label: '本周', value: 'week' },
  { label: '本月', value: 'month' },
  { label: '本季度', value: 'quarter' },
  { label: '自定义', value: 'custom' },
] as const;

/** A report that failed: the reason in Chinese, or a note that the reports API is not there yet. */
function Failed({ error }: { error: Error }) {
  if (error instanceof ApiError && error.status === 404 && error.message.startsWith('没有这个接口'))
    return <Empty description="报表服务尚未启用（/api/v1/reports 不存在）" />;
  return <Alert type="error" showIcon message="报表加载失败" description={error.message} />;
}

function ReportCard({ title, extra, children, testId }: { title: string; extra?: React.ReactNode; children: React.ReactNode; testId: string }) {
  return (
    <Card title={title} extra={extra} size="small" className="report-card" data-testid={testId} styles={{ body: { minHeight: 200 } }}>
      {children}
    </Card>
  );
}

export function DashboardPage() {
  const [period, setPeriod] = useState<PeriodQuery['period']>('month');
  const [range, setRange] = useState<[Dayjs, Dayjs] | null>(null);
  const [by, setBy] = useState<'created' | 'closed'>('created');
  const [dimension, setDimension] = useState<'rep' | 'department'>('rep');
  const [metric, setMetric] = useState<RankingMetric>('contractAmountFen');
  const m = RANKING_METRICS.find((x) => x.value === metric)!;
  const [drill, setDrill] = useState<DrillRequest | null>(null);

  const q: PeriodQuery = useMemo(
    () =>
      period === 'custom' && range
        ? { period, from: range[0].startOf('day').toISOString(), to: range[1].add(1, 'day').startOf('day').toISOString() }
        : { period: period === 'custom' ? 'month' : period },
    [period, range],
  );
  const funnel = useFunnel({ ...q, by });
  const ranking = useRanking({ ...q, dimension });
  const sources = useSources(q);
  const cycle = useCycle(q);
  const adoption = useAdoption(q);

  const f = funnel.data;
  const funnelOption: ChartOption | null = f
    ? {
        tooltip: { trigger: 'item', formatter: '{b}<br/>到达 {c} 个' },
        series: [
          {
            type: 'funnel',
            left: '8%',
            width: '84%',
            minSize: '12%',
            sort: 'none',
            label: { show: true, position: 'inside', formatter: '{b} {c}' },
            data: f.stages.map((s) => ({ name: s.name, value: s.reached, key: s.key })),
          },
        ],
      }
    : null;

  const r = ranking.data;
  const rows = (r?.rows ?? [])
    .slice()
    .sort((a, b) => b[metric].current - a[metric].current)
    .slice(0, 10);
  const rankingEmpty = rows.every((x) => !x[metric].current && !x[metric].previous);
  const fmt = (v: number) => (m.money ? formatMoneyShort(v) || '¥0' : String(v));
  const rankingOption: ChartOption | null = r
    ? {
        tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => fmt(Number(v)) },
        legend: { data: ['本期', '上期'] },
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: rows.map((x) => x.name), axisLabel: { interval: 0, rotate: rows.length > 6 ? 30 : 0 } },
        yAxis: { type: 'value', minInterval: m.money ? 100_00 : 1, axisLabel: { formatter: (v: number) => (v === 0 ? '0' : fmt(v)) } },
        series: [
          { name: '本期', type: 'bar', data: rows.map((x) => x[metric].current) },
          { name: '上期', type: 'bar', data: rows.map((x) => x[metric].previous) },
        ],
      }
    : null;

  const s = sources.data;
  const sourcesOption: ChartOption | null = s
    ? {
        tooltip: { trigger: 'item' },
        legend: { bottom: 0, type: 'scroll' },
        series: [
          {
            type: 'pie',
            radius: ['35%', '65%'],
            center: ['50%', '45%'],
            data: s.rows.filter((x) => x.customers > 0).map((x) => ({ name: x.source, value: x.customers })),
            label: { formatter: '{b} {c}' },
          },
        ],
      }
    : null;

  const c = cycle.data;
  const cycleOption: ChartOption | null = c
    ? {
        tooltip: { trigger: 'axis' },
        grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: c.byStage.map((x) => x.name) },
        yAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: '{value} 天' } },
        series: [{ name: '平均停留天数', type: 'bar', data: c.byStage.map((x) => x.avgDays ?? 0), itemStyle: { color: '#13a8a8' } }],
      }
    : null;

  const a = adoption.data;
  const adoptionOption: ChartOption | null = a
    ? {
        tooltip: { trigger: 'axis' },
        grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: a.activeDaily.map((x) => x.date.slice(5)) },
        yAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: '{value} 人' } },
        series: [{ name: '活跃人数', type: 'line', smooth: true, areaStyle: { opacity: 0.15 }, data: a.activeDaily.map((x) => x.users) }],
      }
    : null;

  const periodQuery: Query = { ...q };
  return (
    <div>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
        <h1 className="page-title" style={{ margin: 0 }}>
          仪表盘 {f && <Typography.Text type="secondary">· {f.period.label}</Typography.Text>}
        </h1>
        <Space wrap>
          <Segmented options={[...PERIODS]} value={period} onChange={(v) => setPeriod(v as PeriodQuery['period'])} className="period-picker" />
          {period === 'custom' && <DatePicker.RangePicker value={range} onChange={(v) => setRange(v && v[0] && v[1] ? [v[0], v[1]] : null)} />}
        </Space>
      </Space>

      {f && (
        <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
          <KpiCard title="商机" value={f.total.count} suffix="个" note={formatMoneyShort(f.total.amountFen) || '¥0'} />
          <KpiCard
            title="赢单"
            value={f.won.count}
            suffix="个"
            color="#389e0d"
            note={formatMoneyShort(f.won.amountFen) || '¥0'}
            onClick={() => setDrill({ title: `赢单 · ${f.period.label}`, query: { ...periodQuery, report: 'funnel', metric: 'won', by } })}
          />
          <KpiCard
            title="输单"
            value={f.lost.count}
            suffix="个"
            color="#cf1322"
            note={f.lost.reasons[0] ? `主要原因：${f.lost.reasons[0].reason}` : '—'}
            onClick={() => setDrill({ title: `输单 · ${f.period.label}`, query: { ...periodQuery, report: 'funnel', metric: 'lost', by } })}
          />
          <KpiCard title="赢率" value={percent(f.winRate)} note="赢单 ÷（赢单 + 输单）" />
        </Row>
      )}

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <ReportCard
            title="销售漏斗"
            testId="report-funnel"
            extra={
              <Radio.Group size="small" value={by} onChange={(e) => setBy(e.target.value as 'created' | 'closed')}>
                <Radio.Button value="created">按创建</Radio.Button>
                <Radio.Button value="closed">按成交</Radio.Button>
              </Radio.Group>
            }
          >
            {funnel.error && <Failed error={funnel.error} />}
            {f && f.stages.every((x) => x.reached === 0) && <Empty description="本期没有商机" />}
            {f && funnelOption && f.stages.some((x) => x.reached > 0) && (
              <Row gutter={8}>
                <Col span={10}>
                  <Chart
                    option={funnelOption}
                    testId="chart-funnel"
                    onClick={(e) => {
                      const stage = f.stages[e.dataIndex];
                      if (stage) setDrill({ title: `${stage.name} · ${f.period.label}`, query: { ...periodQuery, report: 'funnel', stage: stage.key, by } });
                    }}
                  />
                </Col>
                <Col span={14}>
                  <Table
                    size="small"
                    pagination={false}
                    rowKey="key"
                    dataSource={f.stages}
                    className="funnel-table"
                    onRow={(s) => ({
                      onClick: () => setDrill({ title: `${s.name} · ${f.period.label}`, query: { ...periodQuery, report: 'funnel', stage: s.key, by } }),
                      style: { cursor: 'pointer' },
                    })}
                    columns={[
                      { title: '阶段', dataIndex: 'name', render: (v: string) => <span style={{ whiteSpace: 'nowrap' }}>{v}</span> },
                      { title: '当前', dataIndex: 'count', align: 'right' },
                      {
                        title: '金额',
                        dataIndex: 'amountFen',
                        align: 'right',
                        render: (v: number) => <span style={{ whiteSpace: 'nowrap' }}>{formatMoneyShort(v) || '¥0'}</span>,
                      },
                      { title: '转化', dataIndex: 'conversionToNext', align: 'right', render: (v: number | null) => percent(v) },
                    ]}
                  />
                </Col>
              </Row>
            )}
          </ReportCard>
        </Col>
        <Col xs={24} xl={12}>
          <ReportCard
            title="业绩排行"
            testId="report-ranking"
            extra={
              <Space>
                <Select size="small" value={metric} onChange={setMetric} options={RANKING_METRICS} style={{ width: 100 }} className="ranking-metric" />
                <Radio.Group size="small" value={dimension} onChange={(e) => setDimension(e.target.value as 'rep' | 'department')}>
                  <Radio.Button value="rep">按人</Radio.Button>
                  <Radio.Button value="department">按部门</Radio.Button>
                </Radio.Group>
              </Space>
            }
          >
            {ranking.error && <Failed error={ranking.error} />}
            {r && rankingEmpty && <Empty description={`本期与上期都没有${m.label}`} />}
            {r && rankingOption && !rankingEmpty && (
              <Chart
                option={rankingOption}
                testId="chart-ranking"
                onClick={(e) => {
                  const row = rows[e.dataIndex];
                  if (!row?.id) return;
                  const who = dimension === 'rep' ? { ownerId: row.id } : { departmentId: row.id };
                  setDrill({ title: `${row.name} · ${m.label} · ${r.period.label}`, query: { ...periodQuery, ...who, report: 'ranking', metric: m.drill } });
                }}
              />
            )}
          </ReportCard>
        </Col>
        <Col xs={24} xl={8}>
          <ReportCard title="客户来源" testId="report-sources">
            {sources.error && <Failed error={sources.error} />}
            {s && sourcesOption && (
              <>
                {s.rows.every((x) => x.customers === 0) && <Empty description="本期没有新客户" image={Empty.PRESENTED_IMAGE_SIMPLE} />}
                <Chart
                  hidden={s.rows.every((x) => x.customers === 0)}
                  option={sourcesOption}
                  height={260}
                  testId="chart-sources"
                  onClick={(e) =>
                    setDrill({
                      title: `来源：${e.name} · ${s.period.label}`,
                      query: { ...periodQuery, report: 'sources', source: e.name, metric: 'customers' },
                    })
                  }
                />
                <Table
                  size="small"
                  pagination={false}
                  rowKey="source"
                  dataSource={s.rows}
                  columns={[
                    { title: '来源', dataIndex: 'source' },
                    { title: '新客户', dataIndex: 'customers', align: 'right' },
                    { title: '赢单金额', dataIndex: 'wonAmountFen', align: 'right', render: (v: number) => formatMoneyShort(v) || '¥0' },
                    { title: '转化率', dataIndex: 'conversion', align: 'right', render: (v: number | null) => percent(v) },
                  ]}
                />
              </>
            )}
          </ReportCard>
        </Col>
        <Col xs={24} xl={8}>
          <ReportCard title="销售周期" testId="report-cycle">
            {cycle.error && <Failed error={cycle.error} />}
            {c && cycleOption && (
              <>
                <Statistic title="创建→赢单 平均天数" value={c.overall.avgDays ?? '—'} suffix={c.overall.avgDays === null ? '' : '天'} />
                <Chart
                  option={cycleOption}
                  height={240}
                  testId="chart-cycle"
                  onClick={() => setDrill({ title: `本期赢单 · ${c.period.label}`, query: { ...periodQuery, report: 'cycle', metric: 'won' } })}
                />
              </>
            )}
          </ReportCard>
        </Col>
        <Col xs={24} xl={8}>
          <ReportCard title="使用情况" testId="report-adoption">
            {adoption.error && <Failed error={adoption.error} />}
            {a && adoptionOption && (
              <>
                <Row gutter={8}>
                  <Col span={12}>
                    <Statistic title="聊天里记录的跟进" value={percent(a.chat.share)} />
                  </Col>
                  <Col span={12}>
                    <Statistic title="提醒 24 小时内处理" value={percent(a.reminders.share)} />
                  </Col>
                </Row>
                <Chart
                  option={adoptionOption}
                  height={220}
                  testId="chart-adoption"
                  onClick={() => setDrill({ title: `跟进记录 · ${a.period.label}`, query: { ...periodQuery, report: 'adoption', metric: 'followUps' } })}
                />
              </>
            )}
          </ReportCard>
        </Col>
        <Col span={24}>
          <ActionLists />
        </Col>
      </Row>
      <DrillDrawer request={drill} onClose={() => setDrill(null)} />
    </div>
  );
}

/** Stalled deals and forgotten customers: what to act on now, each exportable. */
/** One figure at the top of the dashboard, with a line under it; clickable when it drills down to its list. */
function KpiCard(p: { title: string; value: number | string; suffix?: string; color?: string; note: string; onClick?: () => void }) {
  return (
    <Col xs={12} lg={6}>
      <Card size="small" hoverable={!!p.onClick} onClick={p.onClick}>
        <Statistic title={p.title} value={p.value} suffix={p.suffix} valueStyle={p.color ? { color: p.color } : undefined} />
        <Typography.Text type="secondary">{p.note}</Typography.Text>
      </Card>
    </Col>
  );
}

function ActionLists() {
  const stalled = useStalled();
  const forgotten = useForgotten();
  const { message } = App.useApp();
  const exportList = (name: 'stalled' | 'forgotten') =>
    download(`/reports/${name}`, { format: 'xlsx' }, `${name}.xlsx`).catch((e: Error) => message.error(e.message));
  // one tab per list: its count in the label, the first page in a table, 导出 Excel of the whole list (same scope)
  const tab = <T extends { id: string }>(
    key: 'stalled' | 'forgotten',
    label: string,
    list: { data?: { items: T[]; total: number }; error: Error | null; isLoading: boolean },
    columns: ColumnsType<T>,
  ) => ({
    key,
    label: `${label}${list.data ? `（${list.data.total}）` : ''}`,
    children: list.error ? (
      <Failed error={list.error} />
    ) : (
      <Table<T>
        size="small"
        rowKey="id"
        loading={list.isLoading}
        dataSource={list.data?.items}
        pagination={{ pageSize: 10 }}
        title={() => (
          <Button size="small" icon={<DownloadOutlined />} onClick={() => void exportList(key)}>
            导出 Excel
          </Button>
        )}
        columns={columns}
      />
    ),
  });
  return (
    <Card size="small" data-testid="report-actions">
      <Tabs
        items={[
          tab('stalled', '停滞商机', stalled, [
            { title: '商机', dataIndex: 'name' },
            { title: '客户', dataIndex: 'customerName' },
            { title: '负责人', dataIndex: 'ownerName' },
            { title: '阶段', dataIndex: 'stageName' },
            {
              title: '停留',
              dataIndex: 'daysInStage',
              align: 'right',
              render: (v: number, row) => <Tag color="orange">{`${v} 天 / 时限 ${row.limitDays} 天`}</Tag>,
            },
            { title: '金额', dataIndex: 'amountFen', align: 'right', render: (v: number) => yuan(v) },
          ]),
          tab('forgotten', '被遗忘的客户', forgotten, [
            { title: '客户', dataIndex: 'name' },
            { title: '公司', dataIndex: 'company' },
            { title: '级别', dataIndex: 'tier' },
            { title: '负责人', dataIndex: 'ownerName' },
            { title: '最近跟进', dataIndex: 'lastFollowUpAt', render: (v: string | null) => (v ? dateTime(v) : '从未跟进') },
            {
              title: '未跟进',
              dataIndex: 'daysSince',
              align: 'right',
              render: (v: number, row) => <Tag color="red">{`${v} 天 / 时限 ${row.limitDays} 天`}</Tag>,
            },
          ]),
        ]}
      />
    </Card>
  );
}

const KIND_LABELS: Record<DrillRowDto['kind'], string> = { opportunity: '商机', customer: '客户', followUp: '跟进', contract: '合同' };

/** The list behind a figure, with its xlsx export (same query, same scope). */
function DrillDrawer({ request, onClose }: { request: DrillRequest | null; onClose: () => void }) {
  const drill = useDrill(request);
  const { message } = App.useApp();
  const [exporting, setExporting] = useState(false);
  const exportXlsx = async () => {
    if (!request) return;
    setExporting(true);
    try {
      await download('/reports/drill', { ...request.query, format: 'xlsx' }, '明细.xlsx');
    } catch (e) {
      void message.error((e as Error).message);
    } finally {
      setExporting(false);
    }
  };
  return (
    <Drawer
      open={Boolean(request)}
      onClose={onClose}
      width={Math.min(960, window.innerWidth - 80)}
      title={request?.title ?? ''}
      className="drill-drawer"
      extra={
        <Button icon={<DownloadOutlined />} onClick={() => void exportXlsx()} loading={exporting} className="drill-export">
          导出 Excel
        </Button>
      }
    >
      {drill.error && <Failed error={drill.error} />}
      <Typography.Paragraph type="secondary">共 {drill.data?.total ?? 0} 条（仅含你的数据范围内的记录）</Typography.Paragraph>
      <Table
        size="small"
        rowKey="id"
        loading={drill.isLoading}
        dataSource={drill.data?.items}
        pagination={{ pageSize: 20 }}
        className="drill-table"
        columns={[
          { title: '类型', dataIndex: 'kind', width: 64, render: (k: DrillRowDto['kind']) => KIND_LABELS[k] },
          { title: '名称', dataIndex: 'title', ellipsis: true },
          { title: '客户', dataIndex: 'customerName' },
          { title: '负责人', dataIndex: 'ownerName', width: 96 },
          { title: '阶段', dataIndex: 'stageName', width: 96, render: (v: string | null) => v ?? '—' },
          { title: '金额', dataIndex: 'amountFen', align: 'right', render: (v: number | null) => yuan(v) },
          { title: '时间', dataIndex: 'at', width: 150, render: (v: string) => dateTime(v) },
        ]}
      />
    </Drawer>
  );
}
