import { Schema, type HydratedDocument, type Model } from 'mongoose';

/**
 * The Idempotency-Key stored ON the created record (`<userId>:<key>`, unique and sparse: records made
 * without a key have no field). Whatever happened to the first attempt (a 5xx after the write, a process
 * killed before the answer was stored), a retry with the same key finds the record and answers with it.
 */
export const recordKeyField = { idempotencyKey: { type: String } } as const;

/** Fields of keyed records that DTOs leave out (the key, and effects still to be written). */
export const RECORD_INTERNAL = ['idempotencyKey', 'pendingEffects', 'pendingSince', 'effectsMeta', 'importId'] as const;

/** Adds the unique sparse index every keyed collection needs (sparse unique works on the stand-in too). */
export function indexRecordKey(schema: Schema): void {
  schema.index({ idempotencyKey: 1 }, { unique: true, sparse: true });
}

/** The record an earlier attempt with this key created, if any. */
export async function findByRecordKey<T>(model: Model<T>, key: string | undefined): Promise<HydratedDocument<T> | null> {
  if (!key) return null;
  return model.findOne({ idempotencyKey: key } as Record<string, unknown>).exec();
}

/**
 * Inserts `doc` carrying `key`; if another attempt with the same key got there first (E11000 on the key),
 * answers with that record instead. `created` says which happened.
 */
export async function createKeyed<T>(
  model: Model<T>,
  key: string | undefined,
  doc: Record<string, unknown>,
): Promise<{ doc: HydratedDocument<T>; created: boolean }> {
  try {
    const [created] = await model.create([key ? { ...doc, idempotencyKey: key } : doc] as never[]);
    return { doc: created as unknown as HydratedDocument<T>, created: true };
  } catch (err) {
    if (!key || !isKeyConflict(err)) throw err;
    const existing = await findByRecordKey(model, key);
    if (!existing) throw err;
    return { doc: existing, created: false };
  }
}

function isKeyConflict(err: unknown): boolean {
  const e = err as { code?: number; keyPattern?: Record<string, unknown>; message?: string } | null;
  if (e?.code !== 11000) return false;
  return e.keyPattern ? 'idempotencyKey' in e.keyPattern : String(e.message).includes('idempotencyKey');
}
