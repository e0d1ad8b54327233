import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import {
  actionListQuery,
  adoptionDtoSchema,
  cycleDtoSchema,
  drillDtoSchema,
  drillQuery,
  forgottenDtoSchema,
  funnelDtoSchema,
  funnelQuery,
  rankingDtoSchema,
  rankingQuery,
  reportPeriodQuery,
  sourcesDtoSchema,
  stalledDtoSchema,
  summaryDtoSchema,
  summaryQuery,
  teamOverdueDtoSchema,
  type ActionListQuery,
  type DrillQuery,
  type DrillRowDto,
  type ForgottenCustomerDto,
  type FunnelQuery,
  type RankingQuery,
  type ReportPeriodQuery,
  type StalledDealDto,
  type SummaryQuery,
} from '@crm/shared';
import type { AppContext, AppState } from '../../context';
import { requirePermission } from '../../middleware/auth';
import { validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { responds } from '../openapi/responds';
import { writeXlsx, type XlsxColumn } from './report.xlsx';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** GET /reports/*: every figure within the viewer's data scope (report.service.ts); lists also as xlsx (audited exports). */
export function reportRoutes(s: Services, opts: { businessTz: string }): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/reports' });
  const read = requirePermission('record.read');
  const errors = { errors: ['FORBIDDEN'] as const };
  const query = <T>(ctx: AppContext) => ctx.state.input.query as T;

  router.get('/funnel', responds(200, funnelDtoSchema, errors), read, validate({ query: funnelQuery }), async (ctx) => {
    ctx.body = await s.reports.funnel(ctx.state.actor!, query<FunnelQuery>(ctx));
  });
  router.get('/ranking', responds(200, rankingDtoSchema, errors), read, validate({ query: rankingQuery }), async (ctx) => {
    ctx.body = await s.reports.ranking(ctx.state.actor!, query<RankingQuery>(ctx));
  });
  router.get('/sources', responds(200, sourcesDtoSchema, errors), read, validate({ query: reportPeriodQuery }), async (ctx) => {
    ctx.body = await s.reports.sources(ctx.state.actor!, query<ReportPeriodQuery>(ctx));
  });
  router.get('/cycle', responds(200, cycleDtoSchema, errors), read, validate({ query: reportPeriodQuery }), async (ctx) => {
    ctx.body = await s.reports.cycle(ctx.state.actor!, query<ReportPeriodQuery>(ctx));
  });
  router.get('/adoption', responds(200, adoptionDtoSchema, errors), read, validate({ query: reportPeriodQuery }), async (ctx) => {
    ctx.body = await s.reports.adoption(ctx.state.actor!, query<ReportPeriodQuery>(ctx));
  });
  router.get('/team-overdue', responds(200, teamOverdueDtoSchema, errors), read, async (ctx) => {
    ctx.body = await s.reports.teamOverdue(ctx.state.actor!);
  });
  router.get('/summary', responds(200, summaryDtoSchema, errors), read, validate({ query: summaryQuery }), async (ctx) => {
    ctx.body = await s.reports.summary(ctx.state.actor!, query<SummaryQuery>(ctx));
  });

  router.get('/stalled', responds(200, stalledDtoSchema, errors), read, validate({ query: actionListQuery }), async (ctx) => {
    const q = query<ActionListQuery>(ctx);
    if (q.format !== 'xlsx') {
      ctx.body = await s.reports.stalled(ctx.state.actor!, q);
      return;
    }
    const { items } = await s.reports.stalled(ctx.state.actor!, q, true);
    await sendXlsx(ctx, 'stalled', '停滞商机', STALLED_COLUMNS, items, q);
  });
  router.get('/forgotten', responds(200, forgottenDtoSchema, errors), read, validate({ query: actionListQuery }), async (ctx) => {
    const q = query<ActionListQuery>(ctx);
    if (q.format !== 'xlsx') {
      ctx.body = await s.reports.forgotten(ctx.state.actor!, q);
      return;
    }
    const { items } = await s.reports.forgotten(ctx.state.actor!, q, true);
    await sendXlsx(ctx, 'forgotten', '久未跟进客户', FORGOTTEN_COLUMNS, items, q);
  });
  router.get('/drill', responds(200, drillDtoSchema, errors), read, validate({ query: drillQuery }), async (ctx) => {
    const q = query<DrillQuery>(ctx);
    if (q.format !== 'xlsx') {
      ctx.body = await s.reports.drill(ctx.state.actor!, q);
      return;
    }
    const { items } = await s.reports.drill(ctx.state.actor!, q, true);
    await sendXlsx(ctx, `drill-${q.report}`, '明细', DRILL_COLUMNS, items, q);
  });

  /** Writes the rows as xlsx into the answer and audits the export (who, which list, the filters, how many rows). */
  async function sendXlsx<T>(ctx: AppContext, name: string, sheet: string, columns: Array<XlsxColumn<T>>, rows: T[], q: object): Promise<void> {
    const stamp = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    // the streaming writer fills a buffer first: the answer starts only once the file is complete (an error is still a JSON error)
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const written = await writeXlsx(out, sheet, columns, rows, opts.businessTz);
    ctx.type = XLSX;
    ctx.set('Content-Disposition', `attachment; filename="${name}-${stamp}.xlsx"`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = Buffer.concat(chunks);
    await s.audit.record(ctx.state.meta, {
      action: 'report.export',
      entityType: 'report',
      entityId: name,
      actorName: ctx.state.actor!.user.name,
      note: JSON.stringify({ list: name, query: q, rows: written }),
    });
  }

  return router;
}

const STALLED_COLUMNS: Array<XlsxColumn<StalledDealDto>> = [
  { header: '商机', width: 28, value: (r) => r.name },
  { header: '客户', width: 24, value: (r) => r.customerName },
  { header: '负责人', width: 12, value: (r) => r.ownerName },
  { header: '阶段', width: 12, value: (r) => r.stageName },
  { header: '进入阶段时间', width: 18, value: (r) => new Date(r.stageEnteredAt), kind: 'date' },
  { header: '停留天数', width: 10, value: (r) => r.daysInStage },
  { header: '时限（天）', width: 10, value: (r) => r.limitDays },
  { header: '金额（元）', width: 14, value: (r) => r.amountFen, kind: 'money' },
];

const FORGOTTEN_COLUMNS: Array<XlsxColumn<ForgottenCustomerDto>> = [
  { header: '客户', width: 20, value: (r) => r.name },
  { header: '公司', width: 28, value: (r) => r.company },
  { header: '级别', width: 8, value: (r) => r.tier },
  { header: '负责人', width: 12, value: (r) => r.ownerName },
  { header: '最近跟进', width: 18, value: (r) => (r.lastFollowUpAt ? new Date(r.lastFollowUpAt) : null), kind: 'date' },
  { header: '未跟进天数', width: 12, value: (r) => r.daysSince },
  { header: '时限（天）', width: 10, value: (r) => r.limitDays },
];

const KIND_LABELS: Record<DrillRowDto['kind'], string> = { opportunity: '商机', customer: '客户', followUp: '跟进', contract: '合同' };
const DRILL_COLUMNS: Array<XlsxColumn<DrillRowDto>> = [
  { header: '类型', width: 8, value: (r) => KIND_LABELS[r.kind] },
  { header: '名称', width: 30, value: (r) => r.title },
  { header: '客户', width: 24, value: (r) => r.customerName },
  { header: '负责人', width: 12, value: (r) => r.ownerName },
  { header: '阶段', width: 12, value: (r) => r.stageName },
  { header: '金额（元）', width: 14, value: (r) => r.amountFen, kind: 'money' },
  { header: '时间', width: 18, value: (r) => new Date(r.at), kind: 'date' },
];
