import { Types, type Connection, type Model } from 'mongoose';
import type { Actor } from '../../context';
import type { RequestMeta } from '../../context';
import { AppError, CommonErrorCode } from '../../errors/app-error';
import type { AuditService } from '../audit/audit.service';
import { savedViewModel, type SavedView } from './saved-view.model';
import type { SaveViewInput } from './saved-view.dto-schema';

/** At most this many views per user and table. */
export const MAX_VIEWS_PER_PAGE = 30;

type Doc = SavedView & { _id: Types.ObjectId };

/**
 * Saved views of the workbench's tables, per user: only filters are kept, never rows, so a view always shows what
 * its owner may see at the time it is opened (the list endpoint applies the data scope).
 */
export class SavedViewService {
  readonly #views: Model<SavedView>;

  constructor(
    conn: Connection,
    private readonly audit: AuditService,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#views = savedViewModel(conn);
  }

  async list(actor: Actor, page: string): Promise<Doc[]> {
    return this.#views.find({ userId: actor.user._id, page }).sort({ name: 1 }).lean<Doc[]>();
  }

  /** Creates the view, or replaces the filters of the caller's view with the same name (one upsert on the unique key). */
  async save(actor: Actor, meta: RequestMeta, input: SaveViewInput): Promise<Doc> {
    const key = { userId: actor.user._id, page: input.page, name: input.name };
    const existing = await this.#views.findOne(key).lean<Doc>();
    if (!existing && (await this.#views.countDocuments({ userId: actor.user._id, page: input.page })) >= MAX_VIEWS_PER_PAGE)
      throw new AppError(409, CommonErrorCode.CONFLICT, `每个列表最多保存 ${MAX_VIEWS_PER_PAGE} 个视图`);
    const at = this.now();
    const filters = Object.fromEntries(Object.entries(input.filters).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string>;
    let doc: Doc | null;
    try {
      doc = await this.#views
        .findOneAndUpdate(key, { $set: { filters, updatedAt: at }, $setOnInsert: { createdAt: at } }, { upsert: true, returnDocument: 'after' })
        .lean<Doc>();
    } catch (err) {
      // two saves of a new name at once: the unique index lets one insert; the other updates it
      if ((err as { code?: number }).code !== 11000) throw err;
      doc = await this.#views.findOneAndUpdate(key, { $set: { filters, updatedAt: at } }, { returnDocument: 'after' }).lean<Doc>();
    }
    await this.audit.record(meta, {
      action: existing ? 'saved-view.update' : 'saved-view.create',
      entityType: 'saved-view',
      actorName: actor.user.name,
      entityId: doc!._id,
      changes: { filters: { before: existing?.filters ?? null, after: filters } },
      note: `${input.page}：${input.name}`,
    });
    return doc!;
  }

  /** Only the owner's own views: another user's id answers 404 like a missing one. */
  async remove(actor: Actor, meta: RequestMeta, id: string): Promise<Doc> {
    const doc = Types.ObjectId.isValid(id) ? await this.#views.findOneAndDelete({ _id: new Types.ObjectId(id), userId: actor.user._id }).lean<Doc>() : null;
    if (!doc) throw new AppError(404, CommonErrorCode.NOT_FOUND, '视图不存在');
    await this.audit.record(meta, {
      action: 'saved-view.delete',
      entityType: 'saved-view',
      actorName: actor.user.name,
      entityId: doc._id,
      changes: { filters: { before: doc.filters, after: null } },
      note: `${doc.page}：${doc.name}`,
    });
    return doc;
  }
}
