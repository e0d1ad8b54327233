/**
 * What one spreadsheet cell we write holds (exports, the reports' lists, the import's error workbook), and the
 * rules every cell goes through: formula / CSV injection neutralized, characters XML cannot carry dropped, text
 * cut to what Excel takes, dates in business time.
 */

/** A cell: text, a number, a point in time (shown in business time), or empty. */
export type Cell = string | number | Date | null;

/** Excel keeps at most 32,767 characters in a cell. */
export const MAX_CELL_CHARS = 32_767;

/**
 * Text a spreadsheet would read as a formula or a command (`=`, `+`, `-`, `@`, tab, carriage return at the
 * start; OWASP's CSV injection list) gets a leading apostrophe, so it shows as typed and never runs.
 */
export function neutralize(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Text for a cell: neutralized, without characters an xlsx (XML) cannot hold, at most 32,767 characters. */
export function cellText(text: string): string {
  const clean = text.replace(XML_INVALID, '');
  return neutralize(clean.length > MAX_CELL_CHARS ? clean.slice(0, MAX_CELL_CHARS) : clean);
}

/**
 * Formats instants as `YYYY-MM-DD HH:mm` wall time in one time zone, and shifts them so a spreadsheet (which
 * has no zones) shows that wall time. The zone's offset is looked up once per hour of time seen (Intl is slow
 * per call; a million rows hold several dates each).
 */
export class BusinessClock {
  readonly #parts: Intl.DateTimeFormat;
  readonly #offsets = new Map<number, number>();

  constructor(readonly timeZone: string) {
    this.#parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  }

  /** Milliseconds to add to UTC for the zone's wall time at `at`. */
  offsetMs(at: Date): number {
    const hour = Math.floor(at.getTime() / 3_600_000);
    let offset = this.#offsets.get(hour);
    if (offset === undefined) {
      const p = Object.fromEntries(this.#parts.formatToParts(at).map((x) => [x.type, x.value]));
      const wall = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
      offset = wall - Math.floor(at.getTime() / 1000) * 1000;
      if (this.#offsets.size > 10_000) this.#offsets.clear();
      this.#offsets.set(hour, offset);
    }
    return offset;
  }

  /** The wall time as a Date whose UTC fields read it (what an xlsx date cell shows). */
  wall(at: Date): Date {
    return new Date(at.getTime() + this.offsetMs(at));
  }

  /** `2026-11-30 09:05` */
  format(at: Date): string {
    const w = this.wall(at);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${w.getUTCFullYear()}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())} ${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}`;
  }

  /** `20261130-0905`, for file names. */
  stamp(at: Date): string {
    return this.format(at).replace(/[-:]/g, '').replace(' ', '-');
  }
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
