import type { Connection, Types } from 'mongoose';
import { paginateById, type Page } from '../../db/paginate';
import type { RequestMeta } from '../../context';
import { auditModel, type AuditEntry, type FieldChange } from './audit.model';

export interface AuditRecord {
  action: string;
  entityType: string;
  entityId: string | Types.ObjectId;
  changes?: Record<string, FieldChange>;
  note?: string;
  actorName?: string;
  /**
   * A fixed id for an entry that a recovery pass may write again (e.g. the id of the record created):
   * a second write of the same id is taken as already done, so reruns never double the entry.
   */
  id?: Types.ObjectId;
  /** When it happened, if not now (a recovery pass writes the time of the original change). */
  at?: Date;
}

export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  actorId?: Types.ObjectId;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
}

/** Field-by-field before/after for the named fields that differ. */
export function diffFields<T extends object>(before: T | null, after: T, fields: readonly string[]): Record<string, FieldChange> {
  const b0 = before as Record<string, unknown> | null;
  const a0 = after as Record<string, unknown>;
  const out: Record<string, FieldChange> = {};
  for (const f of fields) {
    const b = b0?.[f];
    const a = a0[f];
    if (JSON.stringify(b) !== JSON.stringify(a)) out[f] = { before: b ?? null, after: a ?? null };
  }
  return out;
}

/** The append-only audit log. There is deliberately no update or delete here. */
export class AuditService {
  readonly #model;

  constructor(conn: Connection) {
    this.#model = auditModel(conn);
  }

  async record(meta: RequestMeta, entry: AuditRecord): Promise<void> {
    try {
      await this.write(meta, entry);
    } catch (err) {
      if (entry.id && (err as { code?: number }).code === 11000) return; // written before (append-only: never changed)
      throw err;
    }
  }

  private async write(meta: RequestMeta, entry: AuditRecord): Promise<void> {
    await this.#model.create({
      ...(entry.id ? { _id: entry.id } : {}),
      at: entry.at ?? new Date(),
      actorId: meta.actorId,
      actorName: entry.actorName ?? meta.actorName,
      action: entry.action,
      entityType: entry.entityType,
      entityId: String(entry.entityId),
      changes: entry.changes ?? {},
      requestId: meta.requestId,
      channel: meta.channel,
      note: entry.note,
    });
  }

  /** Entries after `afterId`, in id order, with one of these actions: the outbound webhooks read the log as their outbox. */
  tail(afterId: Types.ObjectId, actions: readonly string[], limit: number): Promise<Array<AuditEntry & { _id: Types.ObjectId }>> {
    return this.#model
      .find({ _id: { $gt: afterId }, action: { $in: actions } })
      .sort({ _id: 1 })
      .limit(limit)
      .lean<Array<AuditEntry & { _id: Types.ObjectId }>>()
      .exec();
  }

  list(q: AuditQuery): Promise<Page<AuditEntry>> {
    const filter: Record<string, unknown> = {};
    if (q.entityType) filter.entityType = q.entityType;
    if (q.entityId) filter.entityId = q.entityId;
    if (q.actorId) filter.actorId = q.actorId;
    if (q.from || q.to) filter.at = { ...(q.from ? { $gte: q.from } : {}), ...(q.to ? { $lt: q.to } : {}) };
    return paginateById(this.#model, filter, { cursor: q.cursor, limit: q.limit });
  }
}
