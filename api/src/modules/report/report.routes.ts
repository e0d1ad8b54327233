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
import { BusinessClock } from '../../spreadsheet/cells';
import { XlsxWriter, type SheetColumn } from '../../spreadsheet/writers';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Rows per page read for an xlsx (and per flush of the writer). */
const PAGE = 500;

/** A list's column in the xlsx: money given in fen (written in 元). */
interface XlsxColumn<T> extends SheetColumn {
  value: (row: T) => string | number | Date | null;
}

/** Every row of a list, page by page through the service's own paging (the same scope and filters as the page). */
async function* everyRow<T>(page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>): AsyncIterable<T> {
  let cursor: string | undefined;
  for (;;) {
    const p = await page(cursor);
    yield* p.items;
    if (!p.nextCursor) return;
    cursor = p.nextCursor;
  }
}

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
    await sendXlsx(
      ctx,
      'stalled',
      '停滞商机',
      STALLED_COLUMNS,
      everyRow((cursor) => s.reports.stalled(ctx.state.actor!, { ...q, cursor, limit: PAGE })),
      q,
    );
  });
  router.get('/forgotten', responds(200, forgottenDtoSchema, errors), read, validate({ query: actionListQuery }), async (ctx) => {
    const q = query<ActionListQuery>(ctx);
    if (q.format !== 'xlsx') {
      ctx.body = await s.reports.forgotten(ctx.state.actor!, q);
      return;
    }
    await sendXlsx(
      ctx,
      'forgotten',
      '久未跟进客户',
      FORGOTTEN_COLUMNS,
      everyRow((cursor) => s.reports.forgotten(ctx.state.actor!, { ...q, cursor, limit: PAGE })),
      q,
    );
  });
  router.get('/drill', responds(200, drillDtoSchema, errors), read, validate({ query: drillQuery }), async (ctx) => {
    const q = query<DrillQuery>(ctx);
    if (q.format !== 'xlsx') {
      ctx.body = await s.reports.drill(ctx.state.actor!, q);
      return;
    }
    await sendXlsx(
      ctx,
      `drill-${q.report}`,
      '明细',
      DRILL_COLUMNS,
      everyRow((cursor) => s.reports.drill(ctx.state.actor!, { ...q, cursor, limit: PAGE })),
      q,
    );
  });

  /**
   * Streams the rows as xlsx into the answer (the shared spreadsheet writer: flat memory, back-pressure from the
   * client, formulas neutralized) and audits the export at the end (who, which list, the filters, how many rows,
   * whether the client left). The first page is read before the answer starts, so a refusal is still a JSON error.
   */
  async function sendXlsx<T>(ctx: AppContext, name: string, sheet: string, columns: Array<XlsxColumn<T>>, rows: AsyncIterable<T>, q: object): Promise<void> {
    const iterator = rows[Symbol.asyncIterator]();
    let next = await iterator.next();
    const out = new PassThrough({ highWaterMark: 64 * 1024 });
    const clock = new BusinessClock(opts.businessTz);
    ctx.type = XLSX;
    ctx.set('Content-Disposition', `attachment; filename="${name}-${clock.stamp(new Date()).slice(0, 8)}.xlsx"`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = out;
    const { actor, meta, log } = ctx.state;
    void (async () => {
      const writer = new XlsxWriter(out, sheet, columns, clock);
      let written = 0;
      let aborted = false;
      try {
        for (; !next.done; next = await iterator.next()) {
          writer.row(
            columns.map((c) => {
              const v = c.value(next.value as T);
              return typeof v === 'number' && c.kind === 'money' ? v / 100 : v;
            }),
          );
          if (++written % PAGE === 0 && !(await writer.flush())) {
            aborted = true;
            break;
          }
        }
        if (!aborted && (await writer.flush())) await writer.end();
        aborted ||= out.destroyed && !out.writableFinished;
      } catch (err) {
        log.error({ err, list: name }, 'report export failed');
        out.destroy(err as Error);
      }
      await s.audit
        .record(meta, {
          action: 'report.export',
          entityType: 'report',
          entityId: name,
          actorName: actor!.user.name,
          note: JSON.stringify({ list: name, query: q, rows: written, ...(aborted ? { aborted } : {}) }),
        })
        .catch((err: unknown) => log.error({ err }, 'report export not audited'));
    })();
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
