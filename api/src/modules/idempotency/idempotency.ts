import { createHash } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import type { AppMiddleware } from '../../context';
import { AppError } from '../../errors/app-error';
import { idempotencyModel, type IdempotentRequest } from './idempotency.model';

export const IdempotencyErrorCode = {
  IDEMPOTENCY_KEY_INVALID: 'IDEMPOTENCY_KEY_INVALID',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  IDEMPOTENCY_IN_PROGRESS: 'IDEMPOTENCY_IN_PROGRESS',
} as const;

const KEY = /^[A-Za-z0-9._:-]{8,128}$/;
/** How long a first request may run before a repeat may take its key over (it died). */
const LEASE_MS = 60_000;

/**
 * Creates that store the key on the record they create (unique index; see record-key.ts): a repeat of
 * one of these is safe even while the first attempt still runs or after it died, because the record
 * itself refuses a second copy and the handler answers with the first. So a pending key does not block
 * them: the repeat runs and finds (or becomes) the record.
 */
const RECORD_KEYED_POSTS: readonly RegExp[] = [
  /^\/api\/v1\/customers\/?$/,
  /^\/api\/v1\/customers\/[0-9a-f]{24}\/contacts\/?$/,
  /^\/api\/v1\/follow-ups\/?$/,
  /^\/api\/v1\/opportunities\/?$/,
  /^\/api\/v1\/contracts\/?$/,
];
export const isRecordKeyedPost = (path: string): boolean => RECORD_KEYED_POSTS.some((r) => r.test(path));

/**
 * `Idempotency-Key` on POST: a client that did not hear the answer (timeout, lost connection, an
 * offline outbox sending again) repeats the request with the same key and gets the first answer back
 * (`Idempotent-Replayed: true`) instead of creating the record twice. Keys are per user and kept a day.
 * - the same key with a different method, path or body: 422 IDEMPOTENCY_KEY_REUSED;
 * - a repeat while the first is still running: 409 IDEMPOTENCY_IN_PROGRESS (try again shortly);
 * - only a success is kept and replayed; a first request that failed (4xx or 5xx) frees its key, so a
 *   repeat runs again (as Stripe does: a refused request created nothing).
 * Without the header nothing changes. Must run after authentication (the key is scoped to the user).
 *
 * The creates listed in RECORD_KEYED_POSTS also get the key as `ctx.state.idempotencyKey` and write it on
 * their record: a retry after a 5xx or a crash (key freed, or pending past or within its lease) finds
 * the record and replays 201 with it instead of creating a second one.
 */
export function idempotent(store: IdempotencyStore): AppMiddleware {
  return store.middleware();
}

function middlewareOn(model: Model<IdempotentRequest>, now: () => Date): AppMiddleware {
  return async (ctx, next) => {
    const key = ctx.get('Idempotency-Key');
    if (!key || ctx.method !== 'POST') return next();
    if (!KEY.test(key)) throw new AppError(400, IdempotencyErrorCode.IDEMPOTENCY_KEY_INVALID, 'Idempotency-Key 须为 8–128 位字母、数字或 ._:-');
    const actor = ctx.state.actor;
    if (!actor) return next();
    const id = `${String(actor.user._id)}:${key}`;
    const body = (ctx.request as { body?: unknown }).body;
    const fingerprint = createHash('sha256')
      .update(`${ctx.method} ${ctx.path}\n${JSON.stringify(body ?? null)}`)
      .digest('hex');

    const recordKeyed = isRecordKeyedPost(ctx.path);
    if (recordKeyed) ctx.state.idempotencyKey = id;
    const claimed = await claim(model, id, fingerprint, now());
    if (claimed !== 'claimed') {
      if (claimed.fingerprint !== fingerprint)
        throw new AppError(422, IdempotencyErrorCode.IDEMPOTENCY_KEY_REUSED, '这个 Idempotency-Key 已用于另一个请求，请换一个新的');
      if (claimed.state === 'pending' && recordKeyed) return runKeyed(model, id, ctx, next);
      if (claimed.state === 'pending') throw new AppError(409, IdempotencyErrorCode.IDEMPOTENCY_IN_PROGRESS, '同一请求正在处理中，请稍后重试');
      ctx.status = claimed.status ?? 200;
      ctx.body = claimed.body;
      ctx.set('Idempotent-Replayed', 'true');
      return;
    }

    try {
      await next();
    } catch (err) {
      await model.deleteOne({ _id: id, state: 'pending' }).exec();
      throw err;
    }
    if (ctx.status >= 300) await model.deleteOne({ _id: id, state: 'pending' }).exec();
    else await model.updateOne({ _id: id, state: 'pending' }, { $set: { state: 'done', leaseUntil: null, status: ctx.status, body: ctx.body ?? null } }).exec();
  };
}

/** A repeat of a record-keyed create while its key is pending: run it (the record dedupes) and store a success. */
async function runKeyed(model: Model<IdempotentRequest>, id: string, ctx: Parameters<AppMiddleware>[0], next: () => Promise<unknown>): Promise<void> {
  await next();
  if (ctx.status < 300)
    await model.updateOne({ _id: id, state: 'pending' }, { $set: { state: 'done', leaseUntil: null, status: ctx.status, body: ctx.body ?? null } }).exec();
}

/** Where keys live (built with the services, so its indexes are made with the others). */
export class IdempotencyStore {
  readonly #model: Model<IdempotentRequest>;

  constructor(
    conn: Connection,
    readonly now: () => Date = () => new Date(),
  ) {
    this.#model = idempotencyModel(conn);
  }

  /** The middleware on this store's collection (see `idempotent`). */
  middleware(): AppMiddleware {
    return middlewareOn(this.#model, this.now);
  }
}

/** Takes the key (new, or pending past its lease), or returns what holds it. */
async function claim(model: Model<IdempotentRequest>, id: string, fingerprint: string, at: Date): Promise<'claimed' | IdempotentRequest> {
  const leaseUntil = new Date(at.getTime() + LEASE_MS);
  try {
    await model.create({ _id: id, fingerprint, state: 'pending', leaseUntil, status: null, body: null, createdAt: at });
    return 'claimed';
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
  }
  const takenOver = await model
    .findOneAndUpdate({ _id: id, fingerprint, state: 'pending', leaseUntil: { $lt: at } }, { $set: { leaseUntil } }, { returnDocument: 'after' })
    .lean()
    .exec();
  if (takenOver) return 'claimed';
  const existing = await model.findById(id).lean().exec();
  if (!existing) return claim(model, id, fingerprint, at); // freed by a 5xx meanwhile
  return existing as IdempotentRequest;
}
