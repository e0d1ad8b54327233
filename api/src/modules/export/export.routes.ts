import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import type { AppState } from '../../context';
import { requirePermission } from '../../middleware/auth';
import { validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { responds } from '../openapi/responds';
import { EXPORT_ENTITIES, exportFileSchema, exportQueries, type ExportFilters, type ExportFormat } from './export.dto-schema';

const CONTENT_TYPES: Record<ExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

/** RFC 5987 / 6266: `filename*=UTF-8''…` for the Chinese name, a plain ASCII `filename` for old clients. */
export function contentDisposition(names: { utf8: string; ascii: string }): string {
  const encoded = encodeURIComponent(names.utf8).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${names.ascii.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encoded}`;
}

/**
 * `GET /api/v1/exports/<entity>?format=xlsx|csv&<the list's filters>`: the file is streamed as it is made
 * (no size limit, flat memory); a client that goes away stops the database cursor.
 */
export function exportRoutes(s: Services): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/exports' });
  const read = requirePermission('record.read');
  for (const entity of EXPORT_ENTITIES) {
    router.get(
      `/${entity}`,
      responds(200, exportFileSchema, {
        media: [CONTENT_TYPES.xlsx, CONTENT_TYPES.csv],
        description:
          "流式下载：xlsx 或 CSV（UTF-8 带 BOM），只含调用者数据范围内、符合筛选条件的记录；以 `=`、`+`、`-`、`@`、制表符或回车开头的单元格前加 `'`。",
      }),
      read,
      validate({ query: exportQueries[entity] }),
      (ctx) => {
        const { format, ...filters } = ctx.state.input.query as ExportFilters & { format: ExportFormat };
        const out = new PassThrough({ highWaterMark: 64 * 1024 });
        ctx.set('Content-Disposition', contentDisposition(s.exports.fileNames({ entity, format })));
        ctx.set('Cache-Control', 'no-store');
        ctx.type = CONTENT_TYPES[format];
        ctx.body = out;
        const log = ctx.state.log;
        s.exports.run(ctx.state.actor!, ctx.state.meta, { entity, format, filters }, out).then(
          (r) => log.info({ export: entity, format, rows: r.rows, aborted: r.aborted }, 'export finished'),
          (err: unknown) => log.error({ err, export: entity }, 'export failed'),
        );
      },
    );
  }
  return router;
}
