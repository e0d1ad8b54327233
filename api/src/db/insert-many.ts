import type { Model } from 'mongoose';

/** An insertMany (ordered: false) whose only failures are duplicate keys: what it wanted to write was there already. */
export function onlyDuplicateKeys(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: Array<{ code?: number; err?: { code?: number } }> } | null;
  if (e?.writeErrors?.length) return e.writeErrors.every((w) => (w.code ?? w.err?.code) === 11000);
  return e?.code === 11000;
}

/** Inserts documents with fixed ids, the ones already there left as they are (a batch redone after a crash). */
export async function insertIgnoringDuplicates<T>(model: Model<T>, docs: object[]): Promise<void> {
  if (!docs.length) return;
  try {
    await model.collection.insertMany(docs as never[], { ordered: false });
  } catch (err) {
    if (!onlyDuplicateKeys(err)) throw err;
  }
}
