import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { cellText, csvField, type BusinessClock, type Cell } from './cells';

/** The two file kinds we write. */
export type SheetFormat = 'xlsx' | 'csv';

export interface SheetColumn {
  header: string;
  width: number;
  kind?: 'text' | 'date' | 'money' | 'number';
}

/**
 * Writes rows to the answer stream. `row` is synchronous; `flush` waits until the stream has taken what
 * was written (back-pressure: a slow client slows the database cursor, memory stays flat) and answers false
 * once the stream is gone (the client disconnected), so the caller stops reading.
 */
export interface SheetWriter {
  row(cells: Cell[]): void;
  flush(): Promise<boolean>;
  end(): Promise<void>;
}

/** Waits until `out` wants more, or is gone (answers false). */
export function drained(out: Writable): Promise<boolean> {
  if (out.destroyed || out.writableEnded) return Promise.resolve(false);
  if (!out.writableNeedDrain) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    out.on('drain', onDrain);
    out.on('close', onClose);
    out.on('error', onClose);
  });
}

/** Waits for `input` to drain, or `out` to close (the client left); leaves no listener behind. */
async function drainOrClose(input: Writable, out: Writable): Promise<void> {
  const stop = new AbortController();
  const quiet = (p: Promise<unknown>) => p.catch(() => undefined); // the loser is aborted below
  await Promise.race([quiet(once(input, 'drain', { signal: stop.signal })), quiet(once(out, 'close', { signal: stop.signal }))]);
  stop.abort();
}

const BOM = '\uFEFF';

/** CSV, UTF-8 with a BOM (so Excel reads it as UTF-8), CRLF line ends; dates as `YYYY-MM-DD HH:mm` business time, money with 2 decimals. */
export class CsvWriter implements SheetWriter {
  #pending: string[] = [BOM];

  constructor(
    private readonly out: Writable,
    private readonly columns: readonly SheetColumn[],
    private readonly clock: BusinessClock,
  ) {
    this.row(columns.map((c) => c.header));
  }

  row(cells: Cell[]): void {
    this.#pending.push(cells.map((v, i) => csvField(this.text(v, this.columns[i]?.kind))).join(',') + '\r\n');
  }

  private text(v: Cell, kind: SheetColumn['kind']): string {
    if (v === null || v === undefined) return '';
    if (v instanceof Date) return this.clock.format(v);
    if (typeof v === 'number') return kind === 'money' ? v.toFixed(2) : String(v);
    return cellText(v);
  }

  async flush(): Promise<boolean> {
    if (this.out.destroyed) return false;
    if (this.#pending.length) {
      this.out.write(this.#pending.join(''));
      this.#pending = [];
    }
    return drained(this.out);
  }

  async end(): Promise<void> {
    if (!(await this.flush())) return;
    await new Promise<void>((resolve) => this.out.end(resolve));
  }
}

/** Excel's limit is 1,048,576 rows a sheet; a longer export continues on a second sheet (客户 (2)). */
export const XLSX_ROWS_PER_SHEET = 1_000_000;
/** Bytes the sheet's input or the zip may hold unsent before the export waits. */
const BACKLOG_BYTES = 1 << 20;

type ZipStreams = { readableLength: number; writableLength: number; once(ev: string, fn: () => void): void };

/**
 * xlsx through exceljs' streaming `WorkbookWriter`: rows are committed as they come (nothing kept), inline
 * strings (no shared-string table, which would hold every distinct text), the zip piped into the answer.
 * Dates are date cells showing business wall time, money a number with 2 decimals.
 */
export class XlsxWriter implements SheetWriter {
  readonly #book: ExcelJS.stream.xlsx.WorkbookWriter;
  #sheet!: ExcelJS.Worksheet;
  #sheets = 0;
  #rowsInSheet = 0;

  constructor(
    private readonly out: Writable,
    private readonly label: string,
    private readonly columns: readonly SheetColumn[],
    private readonly clock: BusinessClock,
    opts: { rowsPerSheet?: number } = {},
  ) {
    this.rowsPerSheet = opts.rowsPerSheet ?? XLSX_ROWS_PER_SHEET;
    this.#book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    this.#book.creator = 'chat-crm';
    this.nextSheet();
  }

  private readonly rowsPerSheet: number;

  private nextSheet(): void {
    if (this.#sheets > 0) this.#sheet.commit();
    this.#sheets += 1;
    this.#sheet = this.#book.addWorksheet(this.#sheets === 1 ? this.label : `${this.label} (${this.#sheets})`, {
      views: [{ state: 'frozen', ySplit: 1 }],
    });
    this.#sheet.columns = this.columns.map((c) => ({
      header: c.header,
      width: c.width,
      style: c.kind === 'date' ? { numFmt: 'yyyy-mm-dd hh:mm' } : c.kind === 'money' ? { numFmt: '#,##0.00' } : {},
    }));
    this.#sheet.getRow(1).font = { bold: true };
    this.#sheet.getRow(1).commit();
    this.#rowsInSheet = 0;
  }

  row(cells: Cell[]): void {
    if (this.#rowsInSheet >= this.rowsPerSheet) this.nextSheet();
    const values = cells.map((v) => (v === null || v === undefined ? null : v instanceof Date ? this.clock.wall(v) : typeof v === 'number' ? v : cellText(v)));
    this.#sheet.addRow(values).commit();
    this.#rowsInSheet += 1;
  }

  /**
   * What waits between the rows and the answer: exceljs' sheet stream hands its bytes to archiver's input
   * (a PassThrough it writes without looking at back-pressure), archiver deflates them and pipes the zip into
   * `out`. Wait while `out` is full, the sheet's input holds more than a limit, or the zip does.
   */
  async flush(): Promise<boolean> {
    const zip = (this.#book as unknown as { zip: ZipStreams }).zip;
    for (;;) {
      if (this.out.destroyed) return false;
      if (this.out.writableNeedDrain) {
        if (!(await drained(this.out))) return false;
        continue;
      }
      const input = this.sheetInput();
      if (input && input.writableLength + input.readableLength > BACKLOG_BYTES) {
        await drainOrClose(input, this.out);
        continue;
      }
      if (zip.readableLength + zip.writableLength <= BACKLOG_BYTES) return true;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** archiver's input for the sheet being written (exceljs pipes the sheet's StreamBuf into it). */
  private sheetInput(): (Readable & Writable) | undefined {
    const stream = (this.#sheet as unknown as { _stream?: { pipes?: Array<Readable & Writable> } })._stream;
    return stream?.pipes?.[0];
  }

  async end(): Promise<void> {
    if (this.out.destroyed) return;
    this.#sheet.commit();
    await this.#book.commit();
  }
}

export function sheetWriter(format: SheetFormat, out: Writable, label: string, columns: readonly SheetColumn[], clock: BusinessClock): SheetWriter {
  return format === 'csv' ? new CsvWriter(out, columns, clock) : new XlsxWriter(out, label, columns, clock);
}
