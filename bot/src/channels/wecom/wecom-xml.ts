import { XMLParser } from 'fast-xml-parser';

export const MAX_CALLBACK_BYTES = 64 * 1024;

export class UnsafeXmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeXmlError';
  }
}

const parser = new XMLParser({
  processEntities: false,
  ignoreDeclaration: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  allowBooleanAttributes: false,
});

/**
 * Parses a WeCom XML packet into flat string fields. No DTDs, no entities, no nesting beyond what the
 * protocol uses, and a size cap: anything else is refused before parsing.
 */
export function parseWeComXml(xml: string): Record<string, string | Record<string, unknown>> {
  if (Buffer.byteLength(xml, 'utf8') > MAX_CALLBACK_BYTES) throw new UnsafeXmlError('XML too large');
  if (/<!DOCTYPE|<!ENTITY|<!\[INCLUDE|SYSTEM\s+["']/i.test(xml)) throw new UnsafeXmlError('DTDs and entities are not accepted');
  let doc: unknown;
  try {
    doc = parser.parse(xml, true);
  } catch (err) {
    throw new UnsafeXmlError(`not well-formed XML: ${(err as Error).message.split('\n')[0]}`);
  }
  const root = (doc as { xml?: unknown }).xml;
  if (!root || typeof root !== 'object') throw new UnsafeXmlError('no <xml> root element');
  const out: Record<string, string | Record<string, unknown>> = {};
  for (const [k, v] of Object.entries(root as Record<string, unknown>)) {
    out[k] = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : String(v);
  }
  return out;
}
