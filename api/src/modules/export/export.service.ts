import type { Writable } from 'node:stream';
import { Types } from 'mongoose';
import type { Actor, RequestMeta } from '../../context';
import { EXPORT_BATCH } from '../customer/customer-scope';
import type { Services } from '../../services';
import { BusinessClock, type Cell } from '../../spreadsheet/cells';
import { exportEntities, type EntityExport, type Names, type Refs } from './export.entities';
import type { ExportEntity, ExportFilters, ExportFormat } from './export.dto-schema';
import { sheetWriter } from '../../spreadsheet/writers';

export interface ExportRequest {
  entity: ExportEntity;
  format: ExportFormat;
  filters: ExportFilters;
}

export interface ExportResult {
  exportId: Types.ObjectId;
  rows: number;
  /** The client went away before the end: the cursor was closed, the rest never read. */
  aborted: boolean;
}

type Id = Types.ObjectId | null | undefined;

/** Names by id, filled batch by batch; forgets everything past a bound (a million rows name many customers). */
class NameCache {
  readonly #map = new Map<string, string>();
  constructor(private readonly lookup: (ids: Types.ObjectId[]) => Promise<Map<string, string>>) {}

  async load(ids: Id[]): Promise<void> {
    const missing = [...new Set(ids.filter((x): x is Types.ObjectId => !!x).map(String))].filter((id) => !this.#map.has(id));
    if (!missing.length) return;
    if (this.#map.size + missing.length > 20_000) this.#map.clear();
    const found = await this.lookup(missing.map((id) => new Types.ObjectId(id)));
    for (const id of missing) this.#map.set(id, found.get(id) ?? '');
  }

  get(id: Id): string {
    return id ? (this.#map.get(String(id)) ?? '') : '';
  }
}

/**
 * Exports: one entity, exactly what the caller may see with the list's filters, streamed from the owning
 * service's cursor to xlsx or CSV in batches (a batch's names looked up once), at the pace the client reads,
 * audited with the row count at the end (or when the client went away).
 */
export class ExportService {
  #entities: Record<ExportEntity, EntityExport> | null = null;

  /** `services` is read when the first export runs (the export reads through every record module's service). */
  constructor(
    private readonly services: () => Services,
    private readonly settings: { businessTz: string; now: () => Date },
  ) {}

  entity(entity: ExportEntity): EntityExport {
    this.#entities ??= exportEntities(this.services());
    return this.#entities[entity];
  }

  /** `客户_20261130-0905.xlsx` and an ASCII fallback `customers_20261130-0905.xlsx`. */
  fileNames(req: Pick<ExportRequest, 'entity' | 'format'>): { utf8: string; ascii: string } {
    const stamp = new BusinessClock(this.settings.businessTz).stamp(this.settings.now());
    return { utf8: `${this.entity(req.entity).label}_${stamp}.${req.format}`, ascii: `${req.entity}_${stamp}.${req.format}` };
  }

  /** Streams the export into `out` and ends it; resolves when done or when `out` was closed by the client. */
  async run(actor: Actor, meta: RequestMeta, req: ExportRequest, out: Writable): Promise<ExportResult> {
    const def = this.entity(req.entity);
    const clock = new BusinessClock(this.settings.businessTz);
    const exportId = new Types.ObjectId();
    const { org, customers: customerService, contacts: contactService, audit } = this.services();
    const users = new NameCache((ids) => org.namesOf(ids));
    const customers = new NameCache(async (ids) => new Map((await customerService.labels(ids)).map((c) => [String(c._id), c.name])));
    const contacts = new NameCache((ids) => contactService.namesOf(ids));
    const names: Names = { user: (id) => users.get(id), customer: (id) => customers.get(id), contact: (id) => contacts.get(id) };

    const cursor = def.open(actor, req.filters);
    const writer = sheetWriter(req.format, out, def.label, def.columns, clock);
    let rows = 0;
    let aborted = false;
    let failed = false;
    let batch: Array<Record<string, unknown>> = [];
    const flush = async (): Promise<boolean> => {
      const refs: Refs = { users: [], customers: [], contacts: [] };
      for (const r of batch) def.refs(r, refs);
      await Promise.all([users.load(refs.users), customers.load(refs.customers), contacts.load(refs.contacts)]);
      for (const r of batch) writer.row(def.columns.map((c): Cell => c.value(r, names) ?? null));
      rows += batch.length;
      batch = [];
      return writer.flush();
    };
    try {
      for await (const row of cursor) {
        batch.push(row);
        if (batch.length >= EXPORT_BATCH && !(await flush())) {
          aborted = true;
          break;
        }
      }
      if (!aborted) {
        if (!(await flush())) aborted = true;
        else await writer.end();
      }
      aborted ||= out.destroyed && !out.writableFinished;
    } catch (err) {
      failed = true;
      out.destroy(err as Error);
      throw err;
    } finally {
      await cursor.close().catch(() => undefined);
      await audit.record(meta, {
        action: failed ? 'export.failed' : aborted ? 'export.aborted' : 'export.done',
        entityType: 'export',
        entityId: exportId,
        actorName: actor.user.name,
        note: JSON.stringify({ entity: req.entity, format: req.format, filters: req.filters, rows }),
      });
    }
    return { exportId, rows, aborted };
  }
}
