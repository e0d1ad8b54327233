import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Types, type Connection, type Model } from 'mongoose';
import ExcelJS from 'exceljs';
import { can, normalizePersonName, normalizePhone, txt, type SafeText, type StageDefinition } from '@crm/shared';
import type { Actor, RequestMeta } from '../../context';
import { AppError, CommonErrorCode, conflict, forbidden, notFound } from '../../errors/app-error';
import { cellText } from '../../spreadsheet/cells';
import type { AuditService } from '../audit/audit.service';
import { canSeeRecord } from '../customer/customer-scope';
import { importObjectId, type BulkCustomer, type CustomerBulk, type IdentityHolder } from '../customer/customer.bulk';
import type { FollowUpService, ImportedFollowUpRecord } from '../follow-up/follow-up.service';
import type { ImportedOpportunityRecord, OpportunityService } from '../opportunity/opportunity.service';
import type { OrgService } from '../org/org.service';
import { cleanseRow, type CleanRow } from './import.cleanse';
import { IdentitySet, LineMarks } from './identity-set';
import { IMPORT_FIELD_KEYS, IMPORT_FIELDS, suggestMapping, type ColumnMapping, type ImportEntity, type ImportField } from './import.fields';
import {
  importModels,
  type DedupeChoice,
  type EntityCounts,
  type ImportJob,
  type ImportReport,
  type ImportRowEntry,
  type MappingTemplate,
  type RollbackState,
} from './import.model';
import { detectFormat, readRows, refused, type FileRow } from './import.reader';

/** The importer hears at start and end (the bot's notifier, wired by the composition root). */
export interface ImportNotifier {
  notify(userId: Types.ObjectId, text: SafeText): Promise<void>;
}

export interface ImportSettings {
  dir: string;
  maxBytes: number;
  maxRows: number;
  batchRows: number;
  /** A worker's hold on a run; another takes over when it runs out (a crash). */
  leaseMs: number;
  businessTz: string;
  now: () => Date;
}

const PROBLEM_LIMIT = 50;
const EXAMPLES_PER_FIELD = 3;
/** A dry run answers within the request when done by then (small files), else 202 and GET shows it when ready; below the request's database deadline. */
const DRY_RUN_WAIT_MS = 1_000;

const emptyCounts = (): EntityCounts => ({ create: 0, skip: 0, reject: 0 });
const emptyReport = (): ImportReport => ({
  rows: 0,
  create: 0,
  update: 0,
  skip: 0,
  reject: 0,
  reasons: {},
  cleansing: {},
  problems: [],
  contactsAdded: 0,
  entities: { contacts: emptyCounts(), followUps: emptyCounts(), opportunities: emptyCounts() },
});
const emptyRollback = (): RollbackState => ({
  removed: 0,
  restored: 0,
  kept: 0,
  keptExamples: [],
  cursor: null,
  updatesDone: false,
  dependentsDone: false,
  followUpsRemoved: 0,
  opportunitiesRemoved: 0,
  keepCustomers: [],
});

/** The follow-ups and opportunities an import writes and removes (through their owning services). */
export type ImportedFollowUps = Pick<FollowUpService, 'insertImported' | 'removeImported'>;
export type ImportedOpportunities = Pick<OpportunityService, 'insertImported' | 'removeImported'> & { readonly stages: StageDefinition[] };

/** A row and what the pass decided for it. */
interface Planned {
  line: number;
  cells: string[];
  row: CleanRow | null;
  /** `contact`: the row's person added to an existing customer (新增联系人), `targetId`. */
  kind: 'create' | 'update' | 'contact' | 'skip' | 'reject';
  reason?: string;
  target?: IdentityHolder;
  /** An earlier line with the same company (this row: maybe another person of it). */
  contactOf?: number;
  /** A `contact` row's customer, and whether this import created it. */
  targetId?: Types.ObjectId;
  targetOurs?: boolean;
  ownerId: Types.ObjectId | null;
  departmentId: Types.ObjectId | null;
}

/** In-memory state of one pass over the file (rebuilt from the start of the file when a worker takes a run over). */
interface PassState {
  rows: AsyncGenerator<FileRow>;
  seen: IdentitySet;
  /** Lines whose row creates a customer in this pass (a later row of the same company adds its contact there). */
  created: LineMarks;
  owners: OwnerIndex;
  report: ImportReport;
  mapping: ColumnMapping[];
}

interface OwnerIndex {
  find(text: string): { _id: Types.ObjectId; departmentId: Types.ObjectId | null; name: string } | null;
}

/**
 * Imports (导入): upload → suggested mapping → dry run (nothing written) → the real run as a durable job
 * (lease, checkpoint, fixed ids per row) → cancel / rollback. Writes go through the customer module's bulk
 * path (`CustomerBulk`); every record carries the import id.
 */
export class ImportService {
  readonly #jobs: Model<ImportJob>;
  readonly #templates: Model<MappingTemplate>;
  readonly #rows: Model<ImportRowEntry>;
  /** Runs this process is working on, kept between slices so a slice never re-reads the file. */
  private readonly active = new Map<string, PassState>();

  constructor(
    conn: Connection,
    private readonly deps: {
      org: OrgService;
      audit: AuditService;
      bulk: CustomerBulk;
      followUps: ImportedFollowUps;
      opportunities: ImportedOpportunities;
      notifier?: ImportNotifier;
      settings: ImportSettings;
    },
  ) {
    const m = importModels(conn);
    this.#jobs = m.jobs;
    this.#templates = m.templates;
    this.#rows = m.rows;
  }

  private get settings(): ImportSettings {
    return this.deps.settings;
  }

  private now(): Date {
    return this.settings.now();
  }

  private filePath(id: Types.ObjectId): string {
    return path.join(this.settings.dir, `${id.toHexString()}.upload`);
  }

  /** Where an upload is streamed to (a name of ours: the client's file name is never part of a path). */
  async uploadTarget(): Promise<{ id: Types.ObjectId; path: string }> {
    await mkdir(this.settings.dir, { recursive: true });
    const id = new Types.ObjectId();
    return { id, path: this.filePath(id) };
  }

  assertMayImport(actor: Actor): void {
    if (!can(actor.user.roles, 'record.import')) throw forbidden('导入需要管理员或经理权限');
  }

  // ---- draft -----------------------------------------------------------------------------------

  /** A file streamed to `uploadTarget().path` becomes a draft: format and encoding detected, headers read, mapping suggested. */
  async createDraft(
    actor: Actor,
    meta: RequestMeta,
    upload: { id: Types.ObjectId; fileName: string; entity: ImportEntity; mappingTemplateId?: string },
  ): Promise<ImportJob> {
    this.assertMayImport(actor);
    const file = this.filePath(upload.id);
    try {
      const { size } = await stat(file);
      const { format, encoding } = await detectFormat(file, upload.fileName);
      let headers: string[] | null = null;
      for await (const r of readRows(file, format, encoding, this.settings.businessTz)) {
        headers = r.cells.map((c) => String(c).trim());
        break;
      }
      if (!headers) throw refused('文件中没有数据');
      let template: MappingTemplate | null = null;
      if (upload.mappingTemplateId) {
        template = Types.ObjectId.isValid(upload.mappingTemplateId)
          ? await this.#templates
              .findOne({ _id: new Types.ObjectId(upload.mappingTemplateId), userId: actor.user._id })
              .lean()
              .exec()
          : null;
        if (!template) throw notFound('映射模板');
      }
      const job = await this.#jobs.create({
        _id: upload.id,
        entity: upload.entity,
        status: 'draft',
        userId: actor.user._id,
        fileName: upload.fileName,
        format,
        encoding: encoding ?? null,
        bytes: size,
        headers,
        mapping: suggestMapping(headers, template?.columns),
        ownerFallback: { mode: 'owner', ownerId: actor.user._id },
      });
      await this.deps.audit.record(meta, {
        action: 'import.upload',
        entityType: 'import',
        entityId: job._id,
        note: `${upload.fileName}（${format}，${size} 字节）`,
      });
      return job.toObject();
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
  }

  /** One import, for its importer or an admin; anyone else gets 404. */
  async get(actor: Actor, id: string): Promise<ImportJob> {
    const job = Types.ObjectId.isValid(id) ? await this.#jobs.findById(id).lean().exec() : null;
    if (!job || !(job.userId.equals(actor.user._id) || actor.user.roles.includes('admin'))) throw notFound('导入任务');
    return job;
  }

  /** The caller's imports (an admin: everyone's), newest first. */
  list(actor: Actor, limit = 50): Promise<ImportJob[]> {
    const filter = actor.user.roles.includes('admin') ? {} : { userId: actor.user._id };
    return this.#jobs.find(filter).sort({ _id: -1 }).limit(limit).lean().exec();
  }

  // ---- templates ---------------------------------------------------------------------------------

  async saveTemplate(
    actor: Actor,
    name: string,
    entity: ImportEntity,
    mapping: ReadonlyArray<{ header: string; field: ImportField | null }>,
  ): Promise<MappingTemplate> {
    this.assertMayImport(actor);
    const columns = mapping.map((m) => ({ header: m.header, field: m.field }));
    const t = await this.#templates
      .findOneAndUpdate({ userId: actor.user._id, name }, { $set: { entity, columns } }, { upsert: true, returnDocument: 'after' })
      .lean()
      .exec();
    return t!;
  }

  listTemplates(actor: Actor): Promise<MappingTemplate[]> {
    return this.#templates.find({ userId: actor.user._id }).sort({ name: 1 }).limit(200).lean().exec();
  }

  async deleteTemplate(actor: Actor, id: string): Promise<void> {
    const res = Types.ObjectId.isValid(id)
      ? await this.#templates.deleteOne({ _id: new Types.ObjectId(id), userId: actor.user._id }).exec()
      : { deletedCount: 0 };
    if (!res.deletedCount) throw notFound('映射模板');
  }

  // ---- dry run -----------------------------------------------------------------------------------

  /**
   * The trial run (试导入): the whole file through cleansing, owners and the dedupe, nothing written but
   * the report and the rows it would refuse. Answers once done, or after 1 s with the run going on
   * (`dry_running`; GET shows the report when it is ready).
   */
  async dryRun(
    actor: Actor,
    meta: RequestMeta,
    id: string,
    input: {
      mapping?: Array<{ column: number; field: ImportField | null }>;
      ownerFallback?: { mode: 'pool' | 'owner'; ownerId?: string };
      dedupe?: DedupeChoice;
      saveTemplateAs?: string;
    },
  ): Promise<ImportJob> {
    this.assertMayImport(actor);
    const job = await this.get(actor, id);
    const mapping = input.mapping ? this.checkMapping(job, input.mapping) : job.mapping;
    if (!mapping.some((m) => m.field === 'name' || m.field === 'company')) throw validation('body.mapping', '至少要映射「客户名称」或「公司名称」一列');
    let ownerFallback = job.ownerFallback;
    if (input.ownerFallback) {
      const ownerId = input.ownerFallback.mode === 'owner' ? new Types.ObjectId(input.ownerFallback.ownerId ?? actor.user._id) : null;
      if (ownerId) {
        const owner = await this.deps.org.findActiveUserById(ownerId);
        if (!owner || owner.roles.every((r) => r === 'partner') || !canSeeRecord(actor, { ownerId: owner._id, departmentId: owner.departmentIds[0] ?? null }))
          throw validation('body.ownerFallback.ownerId', '默认负责人不存在、已停用或不在你的管理范围');
      }
      ownerFallback = { mode: input.ownerFallback.mode, ownerId };
    }
    const now = this.now();
    const claimed = await this.#jobs
      .findOneAndUpdate(
        {
          _id: job._id,
          $or: [{ status: { $in: ['draft', 'dry_run', 'failed'] } }, { status: 'dry_running', 'lease.until': { $lt: now } }],
        },
        {
          $set: {
            status: 'dry_running',
            mapping,
            ownerFallback,
            dedupe: input.dedupe ?? job.dedupe,
            dryRun: null,
            error: null,
            lease: { holder: 'dry-run', until: new Date(now.getTime() + this.settings.leaseMs) },
          },
        },
        { returnDocument: 'after' },
      )
      .lean()
      .exec();
    if (!claimed) throw conflict(`导入任务当前状态（${job.status}）不能试导入`);
    if (input.saveTemplateAs) await this.saveTemplate(actor, input.saveTemplateAs, job.entity, mapping);
    const running = this.runDry(actor, meta, claimed);
    const outcome = await Promise.race([running.then(() => 'done' as const), delay(DRY_RUN_WAIT_MS).then(() => 'waiting' as const)]);
    if (outcome === 'waiting') running.catch(() => undefined);
    return (await this.#jobs.findById(job._id).lean().exec())!;
  }

  private async runDry(actor: Actor, meta: RequestMeta, job: ImportJob): Promise<void> {
    const started = Date.now();
    try {
      await this.#rows.deleteMany({ importId: job._id, pass: 'dry' }).exec();
      const state = await this.openPass(actor, job, emptyReport());
      let batch: FileRow[] = [];
      let lastRenew = Date.now();
      const flush = async () => {
        const planned = await this.plan(actor, job, state, batch);
        await this.recordRows(job._id, 'dry', planned);
        batch = [];
        if (Date.now() - lastRenew > this.settings.leaseMs / 3) {
          lastRenew = Date.now();
          await this.#jobs
            .updateOne({ _id: job._id, status: 'dry_running' }, { $set: { 'lease.until': new Date(this.now().getTime() + this.settings.leaseMs) } })
            .exec();
        }
      };
      for await (const r of state.rows) {
        batch.push(r);
        if (state.report.rows + batch.length > this.settings.maxRows) throw refused(`文件超过 ${this.settings.maxRows} 行，请拆分后导入`);
        if (batch.length >= this.settings.batchRows) await flush();
      }
      if (batch.length) await flush();
      state.report.tookMs = Date.now() - started;
      await this.#jobs
        .updateOne(
          { _id: job._id, status: 'dry_running' },
          { $set: { status: 'dry_run', dryRun: state.report, 'progress.total': state.report.rows, lease: { holder: null, until: null } } },
        )
        .exec();
      await this.deps.audit.record(meta, { action: 'import.dry-run', entityType: 'import', entityId: job._id, note: counts(state.report) });
    } catch (err) {
      const message = err instanceof AppError && err.status < 500 ? err.message : '试导入失败，请重试';
      await this.#jobs
        .updateOne({ _id: job._id, status: 'dry_running' }, { $set: { status: 'failed', error: message, lease: { holder: null, until: null } } })
        .exec();
      if (!(err instanceof AppError)) throw err;
    }
  }

  // ---- the real run --------------------------------------------------------------------------------

  /** Queues the real run (after a dry run) with the dedupe choice; a worker's `work` does it. */
  async run(actor: Actor, meta: RequestMeta, id: string, dedupe: DedupeChoice): Promise<ImportJob> {
    this.assertMayImport(actor);
    const job = await this.get(actor, id);
    if (job.status !== 'dry_run') throw conflict(job.status === 'draft' ? '请先试导入，确认报告后再正式导入' : `导入任务当前状态（${job.status}）不能开始导入`);
    const after = await this.#jobs
      .findOneAndUpdate(
        { _id: job._id, status: 'dry_run' },
        {
          $set: {
            status: 'queued',
            dedupe,
            run: emptyReport(),
            progress: { done: 0, total: job.dryRun?.rows ?? 0, checkpointLine: 0, startedAt: null, updatedAt: null, firstProgressAt: null },
          },
        },
        { returnDocument: 'after' },
      )
      .lean()
      .exec();
    if (!after) throw conflict('导入任务刚被处理，请刷新');
    await this.deps.audit.record(meta, { action: 'import.run', entityType: 'import', entityId: job._id, note: `去重方式：${DEDUPE_LABEL[dedupe]}` });
    return after;
  }

  async cancel(actor: Actor, meta: RequestMeta, id: string): Promise<ImportJob> {
    const job = await this.get(actor, id);
    const res = await this.#jobs
      .findOneAndUpdate(
        { _id: job._id, status: { $in: ['draft', 'dry_run', 'queued', 'running'] } },
        { $set: { cancelRequested: true } },
        { returnDocument: 'after' },
      )
      .lean()
      .exec();
    if (!res) throw conflict(`导入任务当前状态（${job.status}）不能取消`);
    if (res.status === 'draft' || res.status === 'dry_run') {
      await this.#jobs.updateOne({ _id: job._id, status: res.status }, { $set: { status: 'cancelled', finishedAt: this.now() } }).exec();
      await rm(this.filePath(job._id), { force: true });
    }
    await this.deps.audit.record(meta, { action: 'import.cancel', entityType: 'import', entityId: job._id });
    return (await this.#jobs.findById(job._id).lean().exec())!;
  }

  /** Queues the undo of a run (done, cancelled or failed): created records removed, updated ones restored unless changed since. */
  async rollback(actor: Actor, meta: RequestMeta, id: string): Promise<ImportJob> {
    this.assertMayImport(actor);
    const job = await this.get(actor, id);
    const res = await this.#jobs
      .findOneAndUpdate(
        { _id: job._id, status: { $in: ['done', 'cancelled', 'failed'] }, run: { $ne: null } },
        { $set: { status: 'rollback_queued', rollback: emptyRollback() } },
        { returnDocument: 'after' },
      )
      .lean()
      .exec();
    if (!res) throw conflict(`导入任务当前状态（${job.status}）不能回滚`);
    await this.deps.audit.record(meta, { action: 'import.rollback-requested', entityType: 'import', entityId: job._id });
    return res;
  }

  /**
   * One slice of background work (the import job calls it): takes a queued or abandoned run or rollback
   * under a lease and works on it for up to `maxMs`. Answers whether there is more to do now.
   */
  async work(holder: string, opts: { maxMs?: number; maxBatches?: number } = {}): Promise<boolean> {
    const now = this.now();
    const job = await this.#jobs
      .findOneAndUpdate(
        {
          status: { $in: ['queued', 'running', 'rollback_queued', 'rolling_back'] },
          $or: [{ 'lease.holder': null }, { 'lease.until': { $lt: now } }, { 'lease.holder': holder }],
        },
        { $set: { lease: { holder, until: new Date(now.getTime() + this.settings.leaseMs) } } },
        { sort: { _id: 1 }, returnDocument: 'after' },
      )
      .lean()
      .exec();
    if (!job) return false;
    const deadline = Date.now() + (opts.maxMs ?? 5_000);
    if (job.status === 'rollback_queued' || job.status === 'rolling_back') return this.rollbackSlice(job, holder, deadline);
    return this.runSlice(job, holder, deadline, opts.maxBatches ?? Infinity);
  }

  private async runSlice(job: ImportJob, holder: string, deadline: number, maxBatches: number): Promise<boolean> {
    const key = String(job._id);
    const importer = await this.deps.org.findActiveUserById(job.userId);
    if (!importer) return this.finish(job, holder, 'failed', '导入人已停用');
    const actor: Actor = { user: importer, viewer: await this.deps.org.resolveViewer(importer) };
    if (job.status === 'queued') {
      const now = this.now();
      await this.#jobs
        .updateOne({ _id: job._id, 'lease.holder': holder }, { $set: { status: 'running', 'progress.startedAt': now, 'progress.updatedAt': now } })
        .exec();
      if (!job.startNotified) {
        const first = await this.#jobs.updateOne({ _id: job._id, startNotified: false }, { $set: { startNotified: true } }).exec();
        if (first.modifiedCount)
          await this.notify(job.userId, txt`开始导入「${job.fileName}」：共 ${job.progress.total} 行。完成后会再通知你，进度可在导入页面查看。`);
      }
    }
    let state = this.active.get(key);
    if (!state) {
      // a fresh start, or a takeover after a crash: replay the rows before the checkpoint (read only) to rebuild the in-file dedupe
      state = await this.openPass(actor, job, (job.run as ImportReport | null) ?? emptyReport());
      if (job.progress.checkpointLine > 0) {
        for (;;) {
          const r = await state.rows.next();
          if (r.done) break;
          this.remember(state, r.value, job);
          if (r.value.line % 500 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
          if (r.value.line >= job.progress.checkpointLine) break;
        }
      }
      this.active.set(key, state);
    }
    let batches = 0;
    try {
      for (;;) {
        if (job.cancelRequested) {
          this.active.delete(key);
          return this.finish(job, holder, 'cancelled');
        }
        const batch: FileRow[] = [];
        // the run's first batch is small, so progress shows within a second or two
        const size = job.progress.done === 0 ? Math.min(100, this.settings.batchRows) : this.settings.batchRows;
        while (batch.length < size) {
          const r = await state.rows.next();
          if (r.done) break;
          batch.push(r.value);
        }
        if (!batch.length) {
          this.active.delete(key);
          return this.finish(job, holder, 'done');
        }
        const planned = await this.plan(actor, job, state, batch);
        await this.write(actor, job, planned, state.report);
        const now = this.now();
        const done = job.progress.done + batch.length;
        const updated = await this.#jobs
          .findOneAndUpdate(
            { _id: job._id, 'lease.holder': holder, status: 'running' },
            {
              $set: {
                run: state.report,
                'progress.done': done,
                'progress.checkpointLine': batch.at(-1)!.line,
                'progress.updatedAt': now,
                'lease.until': new Date(now.getTime() + this.settings.leaseMs),
              },
              ...(job.progress.firstProgressAt ? {} : { $min: { 'progress.firstProgressAt': now } }),
            },
            { returnDocument: 'after' },
          )
          .lean()
          .exec();
        if (!updated) {
          this.active.delete(key); // the lease was lost: whoever holds it now goes on from the checkpoint
          return false;
        }
        job = updated;
        batches++;
        if (Date.now() >= deadline || batches >= maxBatches) return true;
      }
    } catch (err) {
      this.active.delete(key);
      if (err instanceof AppError && err.status < 500) return this.finish(job, holder, 'failed', err.message);
      throw err;
    }
  }

  /** Drops what this process holds in memory for a run (a test's "crash"). */
  forget(): void {
    this.active.clear();
  }

  private async finish(job: ImportJob, holder: string, status: 'done' | 'failed' | 'cancelled', error?: string): Promise<boolean> {
    const now = this.now();
    const res = await this.#jobs
      .updateOne(
        { _id: job._id, 'lease.holder': holder },
        { $set: { status, finishedAt: now, error: error ?? null, lease: { holder: null, until: null }, 'progress.updatedAt': now } },
      )
      .exec();
    if (!res.modifiedCount) return false;
    await rm(this.filePath(job._id), { force: true }); // the ledger keeps what the error workbook and a rollback need
    const report = (job.run as ImportReport | null) ?? emptyReport();
    const meta: RequestMeta = { requestId: `import-${String(job._id)}`, channel: 'import', actorId: job.userId };
    const action = status === 'done' ? 'import.finished' : status === 'cancelled' ? 'import.cancelled' : 'import.failed';
    await this.deps.audit.record(meta, {
      id: importObjectId(job._id, 'audit', action),
      action,
      entityType: 'import',
      entityId: job._id,
      note: `${job.fileName}：${counts(report)}${error ? `；${error}` : ''}`,
    });
    const first = await this.#jobs.updateOne({ _id: job._id, endNotified: false }, { $set: { endNotified: true } }).exec();
    if (first.modifiedCount) {
      const head = status === 'done' ? '导入完成' : status === 'cancelled' ? '导入已取消' : '导入失败';
      await this.notify(
        job.userId,
        txt`${head}「${job.fileName}」：新建 ${report.create}，更新 ${report.update}，跳过 ${report.skip}，拒绝 ${report.reject}${report.contactsAdded ? `，新增联系人 ${report.contactsAdded}` : ''}${extras(report)}。${error ?? ''}${report.reject + report.skip > 0 ? '未导入的行可在导入页面下载错误表（errors.xlsx），改正后重新导入。' : ''}`,
      );
    }
    return false;
  }

  private async notify(userId: Types.ObjectId, text: SafeText): Promise<void> {
    await this.deps.notifier?.notify(userId, text).catch(() => undefined);
  }

  // ---- one pass over the file ------------------------------------------------------------------------

  private async openPass(actor: Actor, job: ImportJob, report: ImportReport): Promise<PassState> {
    const rows = readRows(this.filePath(job._id), job.format, job.encoding ?? undefined, this.settings.businessTz);
    const header = await rows.next(); // the header row
    if (header.done) throw refused('文件中没有数据');
    if (!report.entities) report.entities = emptyReport().entities; // a report started before these counts existed
    return { rows, seen: new IdentitySet(), created: new LineMarks(), owners: await this.ownerIndex(actor), report, mapping: job.mapping };
  }

  /** The users the importer may give customers to, by name, login (WeCom / DingTalk id) and mobile. */
  private async ownerIndex(actor: Actor): Promise<OwnerIndex> {
    const byKey = new Map<string, { _id: Types.ObjectId; departmentId: Types.ObjectId | null; name: string } | null>();
    let cursor: string | undefined;
    do {
      const page = await this.deps.org.listUsers(actor, { status: 'active', limit: 100, cursor });
      for (const u of page.items as unknown as Array<{
        _id: Types.ObjectId;
        name: string;
        mobile?: string;
        identities?: { wecom?: string; dingtalk?: string };
        roles: string[];
        departmentIds: Types.ObjectId[];
      }>) {
        if (u.roles.every((r) => r === 'partner')) continue;
        const entry = { _id: u._id, departmentId: u.departmentIds[0] ?? null, name: u.name };
        if (!canSeeRecord(actor, { ownerId: u._id, departmentId: entry.departmentId })) continue;
        const keys = [normalizePersonName(u.name), u.identities?.wecom, u.identities?.dingtalk, u.mobile ? normalizePhone(u.mobile)?.value : undefined];
        for (const k of keys) if (k) byKey.set(k.toLowerCase(), byKey.has(k.toLowerCase()) && !byKey.get(k.toLowerCase())?._id.equals(u._id) ? null : entry);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return {
      find(text) {
        const phone = normalizePhone(text);
        return (
          (phone ? byKey.get(phone.value) : undefined) ?? byKey.get(normalizePersonName(text).toLowerCase()) ?? byKey.get(text.trim().toLowerCase()) ?? null
        );
      },
    };
  }

  /** A row before the checkpoint, replayed after a takeover: only its identities are remembered. */
  private remember(state: PassState, r: FileRow, job: ImportJob): void {
    if (r.errors?.length) return;
    const res = cleanseRow(r.cells, job.mapping, this.cleanseContext());
    if (!res.row) return;
    for (const i of res.row.identities) state.seen.add(i, r.line);
  }

  /** Cleansing, owners, the in-file and database dedupe for one batch; the report counts what it decides. */
  private async plan(actor: Actor, job: ImportJob, state: PassState, batch: FileRow[]): Promise<Planned[]> {
    const report = state.report;
    const ctx = this.cleanseContext();
    const problem = (line: number, kind: 'reject' | 'skip' | 'warning', message: string) => {
      if (report.problems.length < PROBLEM_LIMIT) report.problems.push({ line, kind, message });
    };
    const planned: Planned[] = [];
    for (const r of batch) {
      // cleansing is CPU work: give the event loop a turn now and then (heartbeats, other requests)
      if (report.rows % 200 === 199) await new Promise<void>((resolve) => setImmediate(resolve));
      report.rows++;
      const p: Planned = { line: r.line, cells: r.cells, row: null, kind: 'reject', ownerId: null, departmentId: null };
      planned.push(p);
      if (r.errors?.length) {
        p.reason = r.errors.join('；');
        continue;
      }
      const res = cleanseRow(r.cells, state.mapping, ctx);
      for (const c of res.changes) {
        const col = (report.cleansing[IMPORT_FIELDS[c.field].label] ??= { changed: 0, examples: [] });
        col.changed++;
        if (col.examples.length < EXAMPLES_PER_FIELD) col.examples.push({ line: r.line, before: c.before.slice(0, 100), after: c.after.slice(0, 100) });
      }
      for (const w of res.warnings) problem(r.line, 'warning', w);
      if (!res.row) {
        p.reason = res.errors.join('；');
        continue;
      }
      p.row = res.row;
      for (const why of [res.row.refused?.followUp, res.row.refused?.opportunity]) if (why) problem(r.line, 'warning', why);
      const hits = res.row.identities.map((i) => [i, state.seen.get(i)] as const).filter(([, line]) => line !== undefined && line !== r.line);
      for (const i of res.row.identities) state.seen.add(i, r.line);
      // the same person (mobile / email) is a duplicate; the same company with another person may be another contact of it
      const dup = hits.find(([i]) => !i.startsWith('company:')) ?? (hits.length && !hasPersonKey(res.row) ? hits[0] : undefined);
      if (dup) {
        p.kind = 'skip';
        p.reason = `文件内重复：与第 ${dup[1]} 行的${IDENTITY_LABEL[dup[0].slice(0, dup[0].indexOf(':'))]}相同`;
        continue;
      }
      if (hits.length) p.contactOf = hits[0]![1];
      // the owner: a user in the importer's scope, else the fallback (pool or the default owner)
      const fallback = job.ownerFallback.mode === 'owner' && job.ownerFallback.ownerId ? job.ownerFallback.ownerId : null;
      let owner = res.row.ownerText ? state.owners.find(res.row.ownerText) : null;
      if (res.row.ownerText && !owner)
        problem(r.line, 'warning', `负责人「${res.row.ownerText}」未找到或不在你的管理范围，${fallback ? '已交给默认负责人' : '已放入公海'}`);
      if (!owner && fallback) owner = { _id: fallback, departmentId: null, name: '' };
      p.ownerId = owner?._id ?? null;
      p.departmentId = owner?.departmentId ?? null;
      p.kind = 'create';
    }
    if (p0(planned).length) await this.matchDatabase(actor, job, state, planned, problem);
    if (job.ownerFallback.ownerId) {
      // the default owner's department (resolved once per batch)
      const missing = planned.filter((p) => p.ownerId?.equals(job.ownerFallback.ownerId!) && !p.departmentId);
      if (missing.length) {
        const u = await this.deps.org.findActiveUserById(job.ownerFallback.ownerId);
        for (const p of missing) p.departmentId = u?.departmentIds[0] ?? null;
      }
    }
    for (const p of planned) {
      if (p.kind === 'reject') {
        report.reject++;
        bump(report.reasons, `拒绝：${p.reason!.replace(/「[^」]*」/g, '「…」')}`);
        problem(p.line, 'reject', p.reason!);
      } else if (p.kind === 'skip') {
        report.skip++;
        bump(report.reasons, `跳过：${p.reason!.replace(/第 \d+ 行/, '前面某行').replace(/：.*?（/, '（')}`);
        problem(p.line, 'skip', p.reason!);
      } else if (p.kind === 'update') report.update++;
      else if (p.kind === 'contact') report.contactsAdded = (report.contactsAdded ?? 0) + 1;
      else report.create++;
      countEntities(report, p, +1);
    }
    return planned;
  }

  private cleanseContext() {
    return { now: this.now(), tz: this.settings.businessTz, stages: this.deps.opportunities.stages };
  }

  /**
   * The dedupe against the database: the same identities as the duplicate check, answered within the importer's
   * scope. Another person (a new mobile / email) of a company a row before created, or of a customer in scope
   * the database has, is added to it as a contact (`contact`, 新增联系人); the same person is a duplicate.
   */
  private async matchDatabase(
    actor: Actor,
    job: ImportJob,
    state: PassState,
    planned: Planned[],
    problem: (line: number, kind: 'warning', message: string) => void,
  ): Promise<void> {
    const candidates = p0(planned);
    const holders = await this.deps.bulk.holders([...new Set(candidates.flatMap((p) => p.row!.identities))]);
    // the soft rule only warns: read in the dry run, where the report is reviewed; the real run writes by the hard identities alone
    const soft =
      job.status === 'dry_running'
        ? await this.deps.bulk.samePersonAtSimilarCompany(
            candidates.map((p) => ({ personName: normalizePersonName(p.row!.contact?.name ?? p.row!.name), company: p.row!.company })),
          )
        : new Map<number, IdentityHolder>();
    const labels = (p: Planned, customerId: Types.ObjectId) =>
      p
        .row!.identities.filter((id) => holders.get(id)?.customerId.equals(customerId))
        .map((id) => IDENTITY_LABEL[id.slice(0, id.indexOf(':'))])
        .join('、');
    const toContact = (p: Planned, customerId: Types.ObjectId, ours: boolean, target?: IdentityHolder) => {
      p.kind = 'contact';
      p.targetId = customerId;
      p.targetOurs = ours;
      p.target = target;
    };
    candidates.forEach((p, i) => {
      const ownId = importObjectId(job._id, p.line, 'customer');
      const row = p.row!;
      if (row.identities.some((id) => holders.get(id)?.customerId.equals(ownId))) {
        state.created.mark(p.line); // written by this run before a takeover
        return;
      }
      const hits = row.identities.map((id) => [id, holders.get(id)] as const).filter(([, h]) => h && !h.customerId.equals(ownId));
      const person = hits.filter(([id]) => !id.startsWith('company:'));
      if (p.contactOf !== undefined && state.created.has(p.contactOf)) {
        // another person of a company an earlier row of this file created: its contact, unless the person is known elsewhere
        const targetId = importObjectId(job._id, p.contactOf, 'customer');
        const elsewhere = person.find(([, h]) => !h!.customerId.equals(targetId))?.[1];
        if (!elsewhere) return toContact(p, targetId, true);
        p.kind = 'skip';
        p.reason = canSeeRecord(actor, elsewhere)
          ? `已存在：${elsewhere.name}（${labels(p, elsewhere.customerId)}相同）`
          : `其他团队已有（${labels(p, elsewhere.customerId)}相同）`;
        return;
      }
      const softHit = soft.get(i);
      if (!hits.length) {
        // the soft rule (same person, similar company) asks "are you sure?" in the form; in a file it is reported, not skipped
        if (softHit && !softHit.customerId.equals(ownId))
          problem(
            p.line,
            'warning',
            canSeeRecord(actor, softHit)
              ? `疑似重复：与已有客户「${softHit.name}」联系人同名、公司相似，已照常导入`
              : '疑似与其他团队的客户重复（联系人同名、公司相似），已照常导入',
          );
        state.created.mark(p.line);
        return;
      }
      // the person's customer first, else the company's
      const target = (person[0] ?? hits[0]!)[1]!;
      const why = labels(p, target.customerId);
      const newPerson = !person.length && hasPersonKey(row);
      if (target.importId?.equals(job._id)) {
        // a customer this run created in a batch before a takeover (the in-file memory was rebuilt without it)
        if (p.contactOf !== undefined && (newPerson || person.every(([, h]) => h!.customerId.equals(target.customerId))))
          return toContact(p, target.customerId, true);
        p.kind = 'skip';
        p.reason = `文件内重复：与前面某行的${why}相同`;
        return;
      }
      if (job.dedupe === 'create') {
        state.created.mark(p.line);
        return; // create anyway (a forced duplicate, counted as created)
      }
      const visible = canSeeRecord(actor, target);
      if (!visible) {
        p.kind = 'skip';
        p.reason = `其他团队已有（${why}相同）`;
        return;
      }
      if (target.status === 'pool' && (job.dedupe === 'update' || newPerson)) {
        p.kind = 'skip';
        p.reason = `公海已有：${target.name}（${why}相同），请先领取再${newPerson ? '添加联系人' : '更新'}`;
        return;
      }
      // another person of a customer in scope: added as its contact (a later row of the same company, or skip mode)
      if (newPerson && (p.contactOf !== undefined || job.dedupe === 'skip')) return toContact(p, target.customerId, false, target);
      if (job.dedupe === 'update') {
        p.kind = 'update';
        p.target = target;
        return;
      }
      p.kind = 'skip';
      p.reason = `已存在：${target.name}（${why}相同）`;
    });
  }

  /** The writes of one batch of the real run: creates, updates (ledger first), and the rows not imported. */
  private async write(actor: Actor, job: ImportJob, planned: Planned[], report: ImportReport): Promise<void> {
    const now = this.now();
    const creates = planned.filter((p) => p.kind === 'create');
    if (creates.length) {
      const items: BulkCustomer[] = creates.map((p) => ({
        id: importObjectId(job._id, p.line, 'customer'),
        name: p.row!.name,
        company: p.row!.company,
        industry: p.row!.industry,
        region: p.row!.region,
        source: p.row!.source,
        tier: p.row!.tier,
        tags: p.row!.tags,
        nextFollowUpAt: p.row!.nextFollowUpAt,
        ownerId: p.ownerId,
        departmentId: p.ownerId ? p.departmentId : null,
        contact: p.row!.contact,
      }));
      const result = await this.deps.bulk.createMany(job._id, actor.user._id, items, { force: job.dedupe === 'create', now });
      creates.forEach((p, i) => {
        const r = result.get(String(items[i]!.id));
        if (r?.outcome === 'lost') {
          // taken meanwhile by a customer written outside this import: counted as skipped, never written
          report.create--;
          toSkip(report, p, '已存在（导入期间他人新建了相同的客户）');
        }
      });
    }
    // other people of a company an earlier row of this file created
    const ours = planned.filter((p) => p.kind === 'contact' && p.targetOurs);
    if (ours.length) {
      const added = await this.deps.bulk.addContacts(
        job._id,
        ours.map((p) => ({ line: p.line, customerId: p.targetId!, contact: p.row!.contact! })),
        now,
      );
      for (const p of ours) {
        const outcome = added.get(p.line);
        if (outcome === 'added') continue;
        report.contactsAdded = (report.contactsAdded ?? 0) - 1;
        toSkip(report, p, outcome === 'lost' ? '联系人的手机号或邮箱已属于其他客户' : '所属客户未能导入（见前面的行）');
      }
    }
    for (const p of planned.filter((x) => x.kind === 'update' || (x.kind === 'contact' && !x.targetOurs))) {
      const target = p.target!;
      const entryId = `${String(job._id)}:${p.line}`;
      let entry = await this.#rows.findById(entryId).lean().exec();
      if (!entry) {
        const before = await this.deps.bulk.snapshot(target.customerId);
        if (!before) continue;
        const { updatedAt: _u, ...fields } = before;
        try {
          entry = (
            await this.#rows.create({
              _id: entryId,
              importId: job._id,
              pass: 'run',
              line: p.line,
              kind: 'update',
              customerId: target.customerId,
              before: fields,
              cells: [],
            })
          ).toObject();
        } catch (err) {
          if ((err as { code?: number }).code !== 11000) throw err;
          entry = await this.#rows.findById(entryId).lean().exec();
        }
      }
      if (entry!.done) continue;
      const row = p.row!;
      const onlyContact = p.kind === 'contact';
      const res = await this.deps.bulk.updateFromImport(
        job._id,
        target.customerId,
        p.line,
        onlyContact ? {} : { industry: row.industry, region: row.region, tier: row.tier, tags: row.tags, nextFollowUpAt: row.nextFollowUpAt },
        row.contact,
        now,
      );
      await this.#rows.updateOne({ _id: entryId }, { $set: { done: true, importedAt: res?.updatedAt ?? null } }).exec();
      if (onlyContact && !res?.contactAdded) {
        report.contactsAdded = (report.contactsAdded ?? 0) - 1;
        toSkip(report, p, res ? '联系人的手机号或邮箱已属于其他客户' : '客户已不在或已进入公海');
      }
      if (res) {
        await this.deps.audit.record(
          { requestId: `import-${String(job._id)}`, channel: 'import', actorId: actor.user._id, actorName: actor.user.name },
          {
            id: importObjectId(job._id, 'audit', p.line),
            action: 'customer.update',
            entityType: 'customer',
            entityId: target.customerId,
            note: `${onlyContact ? '导入新增联系人' : '导入更新'}（${job.fileName} 第 ${p.line} 行）${!onlyContact && res.contactAdded ? '，新增联系人' : ''}`,
          },
        );
      }
    }
    await this.writeDependents(actor, job, planned, report, now);
    await this.recordRows(job._id, 'run', planned);
  }

  /**
   * The rows' follow-ups (跟进 columns; 备注 as a note) and opportunities, for the row's customer, through their
   * owning services: ids fixed per row (a batch redone writes nothing twice), tagged with the import id; a
   * follow-up authored by the customer's owner (the importer for a pool customer), a deal owned as its customer.
   */
  private async writeDependents(actor: Actor, job: ImportJob, planned: Planned[], report: ImportReport, now: Date): Promise<void> {
    const live = planned.filter((p) => p.row && LIVE.has(p.kind) && (p.row.followUp || p.row.note || p.row.opportunity));
    if (!live.length) return;
    const customerOf = (p: Planned) => (p.kind === 'create' ? importObjectId(job._id, p.line, 'customer') : (p.targetId ?? p.target!.customerId));
    const scopes = await this.deps.bulk.scopes([...new Map(live.map((p) => [String(customerOf(p)), customerOf(p)])).values()]);
    const followUps: ImportedFollowUpRecord[] = [];
    const deals: ImportedOpportunityRecord[] = [];
    for (const p of live) {
      const row = p.row!;
      const customerId = customerOf(p);
      const scope = scopes.get(String(customerId));
      if (!scope) {
        // its customer is not there (gone meanwhile): counted as skipped with the row's other records
        countEntities(report, { ...p, row: { ...row, contact: undefined } }, -1);
        countEntities(report, { ...p, kind: 'skip', row: { ...row, contact: undefined } }, +1);
        continue;
      }
      const authorId = scope.ownerId ?? actor.user._id;
      if (row.followUp)
        followUps.push({
          id: importObjectId(job._id, p.line, 'follow-up'),
          customerId,
          authorId,
          ...row.followUp,
          happenedAt: row.followUp.happenedAt ?? now,
          scope,
        });
      if (row.note) followUps.push({ id: importObjectId(job._id, p.line, 'note'), customerId, authorId, ...row.note, happenedAt: now, scope });
      if (row.opportunity) deals.push({ id: importObjectId(job._id, p.line, 'opportunity'), customerId, ...row.opportunity, byId: actor.user._id, scope });
    }
    await this.deps.followUps.insertImported(job._id, followUps, now);
    // a note is a remark, not a contact with the customer: it moves no follow-up time
    await this.deps.bulk.followUpsImported(followUps.filter((f) => f.type !== 'note'));
    await this.deps.opportunities.insertImported(job._id, deals, now);
  }

  /** Rows refused or skipped, with their original cells (the error workbook). */
  private async recordRows(importId: Types.ObjectId, pass: 'dry' | 'run', planned: Planned[]): Promise<void> {
    const docs = planned
      .filter((p) => p.kind === 'reject' || p.kind === 'skip')
      .map((p) => ({
        _id: `${String(importId)}:${pass}:${p.line}`,
        importId,
        pass,
        line: p.line,
        kind: p.kind,
        customerId: null,
        before: null,
        importedAt: null,
        done: true,
        reason: p.reason ?? null,
        cells: p.cells.slice(0, 200).map((c) => String(c).slice(0, 2000)),
      }));
    if (!docs.length) return;
    try {
      await this.#rows.collection.insertMany(docs as never[], { ordered: false });
    } catch (err) {
      const e = err as { writeErrors?: Array<{ code?: number }>; code?: number };
      if (!(e.writeErrors ?? [{ code: e.code }]).every((w) => w.code === 11000)) throw err;
    }
  }

  // ---- rollback ------------------------------------------------------------------------------------

  private async rollbackSlice(job: ImportJob, holder: string, deadline: number): Promise<boolean> {
    const now = this.now();
    const state: RollbackState = { ...emptyRollback(), ...job.rollback };
    // one stamp for every restore of this rollback (several rows of the file may have changed one customer)
    state.stamp ??= now;
    if (job.status === 'rollback_queued')
      await this.#jobs.updateOne({ _id: job._id, 'lease.holder': holder }, { $set: { status: 'rolling_back', endNotified: false } }).exec();
    while (!state.updatesDone && Date.now() < deadline) {
      // the last row first: each restores the customer as the row before it left it
      const entries = await this.#rows
        .find({ importId: job._id, pass: 'run', kind: 'update', done: true, reason: null })
        .sort({ line: -1 })
        .limit(200)
        .lean()
        .exec();
      for (const e of entries) {
        const ok = e.importedAt ? await this.deps.bulk.restore(job._id, e.customerId!, e.line, e.before ?? {}, e.importedAt, state.stamp) : false;
        if (ok) state.restored++;
        else {
          state.kept++;
          if (state.keptExamples.length < 20) state.keptExamples.push(`第 ${e.line} 行：客户已被他人修改，未恢复`);
        }
        await this.#rows.updateOne({ _id: e._id }, { $set: { reason: ok ? 'restored' : 'kept' } }).exec();
      }
      if (entries.length < 200) state.updatesDone = true;
      await this.#jobs
        .updateOne(
          { _id: job._id, 'lease.holder': holder },
          { $set: { rollback: state, 'lease.until': new Date(this.now().getTime() + this.settings.leaseMs) } },
        )
        .exec();
    }
    // the import's follow-ups and deals before its customers (one changed since is kept, and so is its customer)
    while (state.updatesDone && !state.dependentsDone && Date.now() < deadline) {
      const f = await this.deps.followUps.removeImported(job._id, 200);
      const o = f.more ? { removed: 0, keptCustomers: [], more: true } : await this.deps.opportunities.removeImported(job._id, 200);
      state.followUpsRemoved = (state.followUpsRemoved ?? 0) + f.removed;
      state.opportunitiesRemoved = (state.opportunitiesRemoved ?? 0) + o.removed;
      for (const id of [...f.keptCustomers, ...o.keptCustomers]) {
        state.kept++;
        if (state.keptExamples.length < 20) state.keptExamples.push(`客户 ${String(id)} 的跟进或商机导入后已被修改，未删除`);
        if (!state.keepCustomers!.includes(String(id))) state.keepCustomers!.push(String(id));
      }
      if (!f.more && !o.more) state.dependentsDone = true;
      await this.#jobs
        .updateOne(
          { _id: job._id, 'lease.holder': holder },
          { $set: { rollback: state, 'lease.until': new Date(this.now().getTime() + this.settings.leaseMs) } },
        )
        .exec();
    }
    while (state.updatesDone && state.dependentsDone && Date.now() < deadline) {
      const r = await this.deps.bulk.removeImported(job._id, state.cursor, 500, new Set(state.keepCustomers));
      state.removed += r.removed;
      state.kept += r.kept.length;
      for (const id of r.kept) if (state.keptExamples.length < 20) state.keptExamples.push(`客户 ${String(id)} 导入后已被修改或有了跟进，未删除`);
      state.cursor = r.last;
      await this.#jobs
        .updateOne(
          { _id: job._id, 'lease.holder': holder },
          { $set: { rollback: state, 'lease.until': new Date(this.now().getTime() + this.settings.leaseMs) } },
        )
        .exec();
      if (!r.more) {
        const res = await this.#jobs
          .updateOne(
            { _id: job._id, 'lease.holder': holder },
            { $set: { status: 'rolled_back', lease: { holder: null, until: null }, finishedAt: this.now() } },
          )
          .exec();
        if (res.modifiedCount) {
          const note = `删除新建 ${state.removed}（另有跟进 ${state.followUpsRemoved ?? 0}、商机 ${state.opportunitiesRemoved ?? 0}），恢复更新 ${state.restored}，保留（已被他人修改）${state.kept}`;
          await this.deps.audit.record(
            { requestId: `import-${String(job._id)}`, channel: 'import', actorId: job.userId },
            { id: importObjectId(job._id, 'audit', 'rollback'), action: 'import.rollback', entityType: 'import', entityId: job._id, note },
          );
          const first = await this.#jobs.updateOne({ _id: job._id, endNotified: false }, { $set: { endNotified: true } }).exec();
          if (first.modifiedCount) await this.notify(job.userId, txt`导入「${job.fileName}」已回滚：${note}。`);
        }
        return false;
      }
    }
    return true;
  }

  // ---- the error workbook ------------------------------------------------------------------------------

  /** The rows not imported (of the run, else of the dry run), original cells plus a reason column, streamed as xlsx. */
  async writeErrorWorkbook(actor: Actor, id: string, out: import('node:stream').Writable): Promise<void> {
    const job = await this.get(actor, id);
    const pass = job.run ? 'run' : 'dry';
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false });
    const ws = wb.addWorksheet('未导入的行');
    ws.addRow(['原行号', ...job.headers, '原因']).commit();
    const cursor = this.#rows
      .find({ importId: job._id, pass, kind: { $in: ['reject', 'skip'] } })
      .sort({ line: 1 })
      .lean()
      .cursor();
    for await (const r of cursor) ws.addRow([r.line, ...r.cells.map(cellText), r.reason ?? '']).commit();
    ws.commit();
    await wb.commit();
  }

  private checkMapping(job: ImportJob, input: Array<{ column: number; field: ImportField | null }>): ColumnMapping[] {
    const byColumn = new Map(input.map((m) => [m.column, m.field]));
    const used = new Set<string>();
    for (const m of input) {
      if (m.column < 0 || m.column >= job.headers.length) throw validation('body.mapping', `第 ${m.column + 1} 列不存在`);
      if (m.field && !IMPORT_FIELD_KEYS.includes(m.field)) throw validation('body.mapping', `未知字段 ${m.field}`);
      if (m.field && used.has(m.field)) throw validation('body.mapping', `「${IMPORT_FIELDS[m.field].label}」只能对应一列`);
      if (m.field) used.add(m.field);
    }
    return job.headers.map((header, column) => ({ column, header, field: byColumn.has(column) ? (byColumn.get(column) ?? null) : null }));
  }
}

const IDENTITY_LABEL: Record<string, string> = { mobile: '手机号', email: '邮箱', company: '公司' };
const DEDUPE_LABEL: Record<DedupeChoice, string> = { skip: '跳过已有', update: '更新已有', create: '仍然新建' };
const p0 = (planned: Planned[]) => planned.filter((p) => p.kind === 'create' && p.row);
/** The kinds whose row writes (its follow-ups and opportunities with it). */
const LIVE = new Set<Planned['kind']>(['create', 'update', 'contact']);
/** A person to dedupe a contact by: a mobile or an email. */
const hasPersonKey = (row: CleanRow) => !!row.contact && row.contact.mobiles.length + row.contact.emails.length > 0;

/** Counts what a row carries besides its customer (contact, follow-ups, opportunity) as created or skipped with it; `sign` -1 takes it back. */
function countEntities(report: ImportReport, p: Pick<Planned, 'kind' | 'row'>, sign: 1 | -1): void {
  const row = p.row;
  if (!row) return;
  const e = (report.entities ??= emptyReport().entities!);
  const as: keyof EntityCounts = LIVE.has(p.kind) ? 'create' : 'skip';
  if (row.contact && p.kind !== 'update') e.contacts[as] += sign; // an update's contact is added only when new (known at the write)
  for (const f of [row.followUp, row.note]) if (f) e.followUps[as] += sign;
  if (row.opportunity) e.opportunities[as] += sign;
  if (sign > 0 && row.refused?.followUp) e.followUps.reject++;
  if (sign > 0 && row.refused?.opportunity) e.opportunities.reject++;
}

/** A row planned to write that turned out not to: skipped, with its reason and what it carried. */
function toSkip(report: ImportReport, p: Planned, reason: string): void {
  countEntities(report, p, -1);
  p.kind = 'skip';
  p.reason = reason;
  report.skip++;
  bump(report.reasons, `跳过：${reason}`);
  countEntities(report, { kind: 'skip', row: p.row }, +1);
}
const bump = (m: Record<string, number>, k: string) => void (m[k] = (m[k] ?? 0) + 1);
const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
const validation = (p: string, message: string) => new AppError(400, CommonErrorCode.VALIDATION_FAILED, message, { details: [{ path: p, message }] });
/** Cells going back to Excel: a leading = + - @ would run as a formula. */
export const counts = (r: ImportReport) =>
  `共 ${r.rows} 行：新建 ${r.create}，更新 ${r.update}，${r.contactsAdded ? `新增联系人 ${r.contactsAdded}，` : ''}跳过 ${r.skip}，拒绝 ${r.reject}${extras(r)}`;
/** The follow-ups and opportunities a report counts, when there are any. */
const extras = (r: ImportReport) =>
  (['followUps', 'opportunities'] as const)
    .map((k) => [k, r.entities?.[k]] as const)
    .filter(([, c]) => c && c.create + c.skip + c.reject > 0)
    .map(([k, c]) => `；${k === 'followUps' ? '跟进记录' : '商机'}：新建 ${c!.create}，跳过 ${c!.skip}，未识别 ${c!.reject}`)
    .join('');

/** Progress as the API shows it: rows done / total, rate (rows/s) and the time left. */
export function progressView(job: ImportJob, now: Date) {
  const p = job.progress;
  const seconds = p.startedAt ? Math.max(0.001, ((p.updatedAt ?? now).getTime() - p.startedAt.getTime()) / 1000) : 0;
  const rate = seconds > 0 ? Math.round(p.done / seconds) : 0;
  return {
    done: p.done,
    total: p.total,
    percent: p.total ? Math.min(100, Math.round((p.done / p.total) * 100)) : 0,
    rowsPerSecond: rate,
    etaSeconds: rate > 0 && ['running', 'queued'].includes(job.status) ? Math.ceil((p.total - p.done) / rate) : null,
    startedAt: p.startedAt,
  };
}
