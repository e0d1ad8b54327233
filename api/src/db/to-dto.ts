import { Types } from 'mongoose';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/**
 * A stored document as the API shows it: `_id` → `id`, ObjectIds → hex strings, dates → ISO strings,
 * `__v` and the named internal fields left out.
 */
export function toDto(doc: unknown, omit: readonly string[] = []): Record<string, Json> {
  const plain = doc && typeof (doc as { toObject?: unknown }).toObject === 'function' ? (doc as { toObject(): unknown }).toObject() : doc;
  return convert(plain, new Set(['__v', ...omit])) as Record<string, Json>;
}

function convert(value: unknown, omit: Set<string> | null): Json {
  if (value === null || value === undefined) return null;
  if (value instanceof Types.ObjectId) return value.toHexString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => convert(v, null));
  if (typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (omit?.has(k)) continue;
      out[k === '_id' ? 'id' : k] = convert(v, null);
    }
    return out;
  }
  return value as Json;
}
