/**
 * The in-file dedupe's memory: identity → the line that first had it, for up to a million rows in a few tens of
 * MB. Keys are numbers: a mobile is its own digits (exact), an email or company core a 53-bit hash (cyrb53; the
 * chance of one false "duplicate" in a 1,000,000-row file is about 1 in 10,000). Open addressing over typed
 * arrays: no object per entry.
 */
export class IdentitySet {
  private keys: Float64Array;
  private lines: Int32Array;
  private count = 0;

  constructor(capacity = 1 << 16) {
    this.keys = new Float64Array(capacity);
    this.lines = new Int32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** The line that first had this identity, or undefined. */
  get(identity: string): number | undefined {
    const k = keyOf(identity);
    const mask = this.keys.length - 1;
    for (let i = slot(k, mask); this.keys[i] !== 0; i = (i + 1) & mask) if (this.keys[i] === k) return this.lines[i];
    return undefined;
  }

  /** Remembers the identity's first line (a later line never replaces it). */
  add(identity: string, line: number): void {
    if ((this.count + 1) * 10 > this.keys.length * 6) this.grow();
    this.insert(keyOf(identity), line);
  }

  private insert(k: number, line: number): void {
    const mask = this.keys.length - 1;
    let i = slot(k, mask);
    for (; this.keys[i] !== 0; i = (i + 1) & mask) if (this.keys[i] === k) return;
    this.keys[i] = k;
    this.lines[i] = line;
    this.count++;
  }

  private grow(): void {
    const { keys, lines } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.lines = new Int32Array(keys.length * 2);
    this.count = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== 0) this.insert(keys[i]!, lines[i]!);
  }
}

function slot(k: number, mask: number): number {
  return (Math.imul((k % 4294967296) | 0, 0x9e3779b1) ^ Math.floor(k / 4294967296)) & mask;
}

/** A mobile's digits as they are (never 0); anything else hashed, moved above the range of phone numbers. */
function keyOf(identity: string): number {
  if (identity.startsWith('mobile:')) {
    const n = Number(identity.slice(7));
    if (Number.isSafeInteger(n) && n > 0 && n < 1e15) return n;
  }
  return 1e15 + (cyrb53(identity) % (2 ** 53 - 1e15));
}

/** cyrb53 (public domain, bryc): a fast 53-bit string hash. */
export function cyrb53(str: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** One bit per line of a file (the lines whose row created a customer in this pass): 125 KB a million lines. */
export class LineMarks {
  private bits = new Uint8Array(1 << 13);

  mark(line: number): void {
    if (line >> 3 >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, (line >> 3) + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[line >> 3]! |= 1 << (line & 7);
  }

  has(line: number): boolean {
    return line >> 3 < this.bits.length && (this.bits[line >> 3]! & (1 << (line & 7))) !== 0;
  }
}
