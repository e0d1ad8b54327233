import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Router from '@koa/router';
import busboy from 'busboy';
import { z } from 'zod';
import { idParams } from '@crm/shared';
import type { AppContext, AppState } from '../../context';
import { AppError, CommonErrorCode } from '../../errors/app-error';
import { requirePermission } from '../../middleware/auth';
import { validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { responds } from '../openapi/responds';
import { importDtoSchema, importListDtoSchema, dryRunBody, runBody, templateBody, templateDtoSchema, templateListDtoSchema } from './import.dto-schema';
import { IMPORT_ENTITIES, IMPORT_FIELD_KEYS, IMPORT_FIELDS, type ImportEntity, type ImportField } from './import.fields';
import type { ImportJob, MappingTemplate } from './import.model';
import { progressView } from './import.service';

type IdParams = { id: string };

export function importDto(job: ImportJob, now: Date) {
  return {
    id: String(job._id),
    entity: job.entity,
    status: job.status,
    fileName: job.fileName,
    format: job.format,
    encoding: job.encoding ?? null,
    bytes: job.bytes,
    headers: job.headers,
    mapping: job.mapping.map((m) => ({ column: m.column, header: m.header, field: m.field ?? null })),
    fields: IMPORT_FIELD_KEYS.map((key) => ({ key, label: IMPORT_FIELDS[key].label })),
    ownerFallback: { mode: job.ownerFallback.mode, ownerId: job.ownerFallback.ownerId ? String(job.ownerFallback.ownerId) : null },
    dedupe: job.dedupe,
    dryRun: job.dryRun ?? null,
    run: job.run ?? null,
    progress: { ...progressView(job, now), startedAt: job.progress.startedAt?.toISOString() ?? null },
    rollback: job.rollback
      ? { removed: job.rollback.removed, restored: job.rollback.restored, kept: job.rollback.kept, keptExamples: job.rollback.keptExamples }
      : null,
    cancelRequested: job.cancelRequested,
    error: job.error ?? null,
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

const templateDto = (t: MappingTemplate) => ({
  id: String(t._id),
  name: t.name,
  entity: t.entity,
  columns: t.columns.map((c) => ({ header: c.header, field: c.field ?? null })),
  updatedAt: t.updatedAt.toISOString(),
});

/** The client's file name, for display only: no directories, no control characters, bounded. */
export function displayFileName(name: string | undefined): string {
  const base = [...((name ?? '').split(/[/\\]/).pop() ?? '')]
    .filter((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) !== 0x7f)
    .join('')
    .trim();
  return (base || '未命名文件').slice(0, 200);
}

/** The multipart upload, streamed to `target` (never held in memory); the size capped. */
async function receiveUpload(ctx: AppContext, target: string, maxBytes: number): Promise<{ fileName: string | null; fields: Record<string, string> }> {
  if (!/^multipart\/form-data/i.test(ctx.get('content-type')))
    throw new AppError(415, CommonErrorCode.UNSUPPORTED_MEDIA_TYPE, '请用 multipart/form-data 上传文件（字段 file）');
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: ctx.req.headers, limits: { files: 1, fileSize: maxBytes, fields: 10, fieldSize: 1024, parts: 12 }, defParamCharset: 'utf8' });
    } catch {
      reject(new AppError(400, CommonErrorCode.VALIDATION_FAILED, '上传格式不正确'));
      return;
    }
    const fields: Record<string, string> = {};
    let fileName: string | null = null;
    let writing: Promise<void> = Promise.resolve();
    let tooLarge = false;
    bb.on('file', (name, stream, info) => {
      if (name !== 'file' || fileName !== null) {
        stream.resume();
        return;
      }
      fileName = displayFileName(info.filename);
      stream.on('limit', () => {
        tooLarge = true;
      });
      writing = pipeline(stream, createWriteStream(target));
    });
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('error', () => reject(new AppError(400, CommonErrorCode.VALIDATION_FAILED, '上传中断或格式不正确')));
    bb.on('close', () => {
      writing.then(
        () =>
          tooLarge
            ? reject(new AppError(413, CommonErrorCode.PAYLOAD_TOO_LARGE, `文件超过 ${Math.round(maxBytes / 1024 ** 2)} MB，请拆分后导入`))
            : resolve({ fileName, fields }),
        () => reject(new AppError(400, CommonErrorCode.VALIDATION_FAILED, '上传中断，请重试')),
      );
    });
    ctx.req.pipe(bb);
  });
}

export function importRoutes(s: Services, opts: { maxBytes: number; now: () => Date }): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/imports' });
  const may = requirePermission('record.import');
  const now = opts.now;

  router.post('/', responds(201, importDtoSchema, { errors: ['IMPORT_FILE_REFUSED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'] }), may, async (ctx) => {
    const target = await s.imports.uploadTarget();
    let upload;
    try {
      upload = await receiveUpload(ctx, target.path, opts.maxBytes);
    } catch (err) {
      await rm(target.path, { force: true });
      throw err;
    }
    const entity = (upload.fields.entity ?? 'customers') as ImportEntity;
    if (!upload.fileName || !IMPORT_ENTITIES.includes(entity)) {
      await rm(target.path, { force: true });
      const p = upload.fileName ? 'body.entity' : 'body.file';
      throw new AppError(400, CommonErrorCode.VALIDATION_FAILED, upload.fileName ? `不支持导入 ${entity}` : '缺少文件（字段 file）', {
        details: [{ path: p, message: 'invalid' }],
      });
    }
    const job = await s.imports.createDraft(ctx.state.actor!, ctx.state.meta, {
      id: target.id,
      fileName: upload.fileName,
      entity,
      mappingTemplateId: upload.fields.mappingTemplateId || undefined,
    });
    ctx.status = 201;
    ctx.body = importDto(job, now());
  });

  router.get('/', responds(200, importListDtoSchema), may, async (ctx) => {
    ctx.body = { items: (await s.imports.list(ctx.state.actor!)).map((j) => importDto(j, now())) };
  });

  router.get('/templates', responds(200, templateListDtoSchema), may, async (ctx) => {
    ctx.body = { items: (await s.imports.listTemplates(ctx.state.actor!)).map(templateDto) };
  });

  router.post('/templates', responds(201, templateDtoSchema), may, validate({ body: templateBody }), async (ctx) => {
    const b = ctx.state.input.body as z.infer<typeof templateBody>;
    const t = await s.imports.saveTemplate(ctx.state.actor!, b.name, b.entity, b.columns as Array<{ header: string; field: ImportField | null }>);
    ctx.status = 201;
    ctx.body = templateDto(t);
  });

  router.delete('/templates/:id', responds(200, z.object({ deleted: z.boolean() })), may, validate({ params: idParams }), async (ctx) => {
    await s.imports.deleteTemplate(ctx.state.actor!, (ctx.state.input.params as IdParams).id);
    ctx.body = { deleted: true };
  });

  router.get('/:id', responds(200, importDtoSchema), may, validate({ params: idParams }), async (ctx) => {
    ctx.body = importDto(await s.imports.get(ctx.state.actor!, (ctx.state.input.params as IdParams).id), now());
  });

  router.post('/:id/dry-run', responds(200, importDtoSchema, { errors: ['CONFLICT'] }), may, validate({ params: idParams, body: dryRunBody }), async (ctx) => {
    const b = ctx.state.input.body as z.infer<typeof dryRunBody>;
    const job = await s.imports.dryRun(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id, {
      ...b,
      mapping: b.mapping as Array<{ column: number; field: ImportField | null }> | undefined,
    });
    ctx.status = job.status === 'dry_running' ? 202 : 200;
    ctx.body = importDto(job, now());
  });

  router.post('/:id/run', responds(202, importDtoSchema, { errors: ['CONFLICT'] }), may, validate({ params: idParams, body: runBody }), async (ctx) => {
    const b = ctx.state.input.body as z.infer<typeof runBody>;
    ctx.status = 202;
    ctx.body = importDto(await s.imports.run(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id, b.dedupe), now());
  });

  router.post('/:id/cancel', responds(200, importDtoSchema, { errors: ['CONFLICT'] }), may, validate({ params: idParams }), async (ctx) => {
    ctx.body = importDto(await s.imports.cancel(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id), now());
  });

  router.post('/:id/rollback', responds(202, importDtoSchema, { errors: ['CONFLICT'] }), may, validate({ params: idParams }), async (ctx) => {
    ctx.status = 202;
    ctx.body = importDto(await s.imports.rollback(ctx.state.actor!, ctx.state.meta, (ctx.state.input.params as IdParams).id), now());
  });

  router.get(
    '/:id/errors.xlsx',
    responds(200, z.string().describe('xlsx 文件：未导入的原始行、原行号和原因列，以附件下载'), {
      media: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    }),
    may,
    validate({ params: idParams }),
    async (ctx) => {
      const id = (ctx.state.input.params as IdParams).id;
      await s.imports.get(ctx.state.actor!, id); // 404 before any byte is sent
      const body = new PassThrough();
      ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
      ctx.attachment(`errors-${id}.xlsx`);
      ctx.body = body;
      s.imports.writeErrorWorkbook(ctx.state.actor!, id, body).catch((err: unknown) => body.destroy(err as Error));
    },
  );

  return router;
}
