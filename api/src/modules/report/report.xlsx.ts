import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { wallClock } from '@crm/shared';

export interface XlsxColumn<T> {
  header: string;
  width: number;
  value: (row: T) => string | number | Date | null;
  kind?: 'money' | 'date';
}

/** A cell a spreadsheet would run as a formula (= + - @, or a leading tab / CR) gets a leading apostrophe. */
export function neutralize(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/**
 * Writes rows as one sheet through exceljs' streaming WorkbookWriter into `out` (each row committed as written,
 * no shared strings); money in 元 with 2 decimals, times as business wall time.
 */
export async function writeXlsx<T>(out: Writable, sheet: string, columns: Array<XlsxColumn<T>>, rows: Iterable<T>, tz: string): Promise<number> {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  book.creator = 'chat-crm';
  const ws = book.addWorksheet(sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({
    header: c.header,
    width: c.width,
    style: c.kind === 'date' ? { numFmt: 'yyyy-mm-dd hh:mm' } : c.kind === 'money' ? { numFmt: '#,##0.00' } : {},
  }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  let n = 0;
  for (const row of rows) {
    const values = columns.map((c) => {
      const v = c.value(row);
      if (v === null || v === undefined) return null;
      if (v instanceof Date) {
        const w = wallClock(v, tz);
        return new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute));
      }
      if (typeof v === 'number') return c.kind === 'money' ? v / 100 : v;
      return neutralize(v);
    });
    ws.addRow(values).commit();
    n++;
  }
  ws.commit();
  await book.commit();
  return n;
}
