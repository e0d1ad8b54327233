import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';
import { AppError } from '../../errors/app-error';

export const IMPORT_FILE_REFUSED = 'IMPORT_FILE_REFUSED';
export type ImportFormat = 'csv' | 'xlsx';
export type CsvEncoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';

/** Limits that keep a hostile file from taking the process's memory. */
export const READER_LIMITS = {
  /** Columns in the header row; a 16,384-column sheet is refused. */
  maxColumns: 500,
  /** A CSV record (all its cells) longer than this is skipped and reported. */
  maxCsvRecordChars: 1_000_000,
  /** The whole xlsx, uncompressed. */
  maxXlsxUncompressedBytes: 3 * 1024 ** 3,
  /** Shared strings are held in memory by the streaming reader: capped. */
  maxSharedStringsBytes: 96 * 1024 ** 2,
  /** An entry bigger than 1 MB may not be compressed more than this (zip bombs reach 1000×). */
  maxCompressionRatio: 120,
};

export const refused = (message: string) => new AppError(422, IMPORT_FILE_REFUSED, message);

/** One data row: its line in the file (header = line 1), its cells as text, and problems met reading it. */
export interface FileRow {
  line: number;
  cells: string[];
  errors?: string[];
}

/** The format from the file's first bytes (never from its name alone): .xls and other binaries are refused. */
export async function detectFormat(path: string, fileName: string): Promise<{ format: ImportFormat; encoding?: CsvEncoding }> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    if (bytesRead === 0) throw refused('文件是空的');
    if (head.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0])) || /\.xls$/i.test(fileName))
      throw refused('不支持 .xls（Excel 97-2003）格式，请在 Excel 中「另存为」.xlsx 或 CSV（UTF-8）后再导入');
    if (head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return { format: 'xlsx' };
    if (/\.xlsx$/i.test(fileName)) throw refused('文件扩展名是 .xlsx，但内容不是 Excel 工作簿（文件可能已损坏）');
    return { format: 'csv', encoding: detectEncoding(head) };
  } finally {
    await fh.close();
  }
}

/**
 * UTF-8 (with or without BOM) when the sample reads as UTF-8 (a stray binary blob aside: far more CJK text than
 * broken sequences), UTF-16 by its BOM, else GB18030 (what Excel in China writes as "CSV").
 */
export function detectEncoding(sample: Buffer): CsvEncoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  if (sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le';
  if (sample[0] === 0xfe && sample[1] === 0xff) return 'utf-16be';
  const text = new TextDecoder('utf-8').decode(sample, { stream: true });
  const broken = text.split('\ufffd').length - 1;
  if (broken === 0) return 'utf-8';
  const cjk = text.match(/[\u4e00-\u9fff]/g)?.length ?? 0;
  return cjk > broken * 4 ? 'utf-8' : 'gb18030';
}

/** Marks a physical line longer than the limit; its row is reported instead of parsed. */
const TOO_LONG = '\u0000CRM_LINE_TOO_LONG\u0000';

/** Cuts physical lines longer than `max` characters (a 10 MB cell) down to a marker, so no record grows unbounded. */
function lineGuard(max: number): Transform {
  let len = 0;
  let dropping = false;
  return new Transform({
    decodeStrings: false,
    encoding: 'utf8',
    transform(chunk: string, _enc, cb) {
      let out = '';
      let pos = 0;
      while (pos < chunk.length) {
        const nl = chunk.indexOf('\n', pos);
        const end = nl === -1 ? chunk.length : nl;
        if (!dropping) {
          if (len + (end - pos) > max) {
            dropping = true;
            out += TOO_LONG;
          } else {
            out += chunk.slice(pos, end);
            len += end - pos;
          }
        }
        if (nl === -1) break;
        out += '\n';
        len = 0;
        dropping = false;
        pos = nl + 1;
      }
      cb(null, out);
    },
  });
}

/**
 * Reads an xlsx's central directory (without inflating anything) and refuses zip bombs: the total
 * uncompressed size, the shared strings (held in memory while reading), and the ratio of any big entry.
 */
export async function prescanXlsx(path: string, limits = READER_LIMITS): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, z) => (err || !z ? reject(refused('xlsx 文件已损坏，无法读取')) : resolve(z))),
  );
  await new Promise<void>((resolve, reject) => {
    let total = 0;
    let hasWorkbook = false;
    const fail = (msg: string) => {
      zip.close();
      reject(refused(msg));
    };
    zip.on('entry', (e: yauzl.Entry) => {
      total += e.uncompressedSize;
      if (e.fileName === 'xl/workbook.xml') hasWorkbook = true;
      if (total > limits.maxXlsxUncompressedBytes) return fail(`xlsx 解压后超过 ${limits.maxXlsxUncompressedBytes / 1024 ** 3} GB，疑似压缩炸弹，已拒绝`);
      if (e.uncompressedSize > 1024 ** 2 && e.uncompressedSize / Math.max(1, e.compressedSize) > limits.maxCompressionRatio)
        return fail(`xlsx 中「${e.fileName}」的压缩比异常（${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))} 倍），疑似压缩炸弹，已拒绝`);
      if (e.fileName === 'xl/sharedStrings.xml' && e.uncompressedSize > limits.maxSharedStringsBytes)
        return fail(`工作簿的共享文本超过 ${limits.maxSharedStringsBytes / 1024 ** 2} MB，请另存为 CSV（UTF-8）后导入`);
      zip.readEntry();
    });
    zip.on('end', () => (hasWorkbook ? resolve() : reject(refused('不是 Excel 工作簿（缺少 xl/workbook.xml）'))));
    zip.on('error', () => reject(refused('xlsx 文件已损坏，无法读取')));
    zip.readEntry();
  });
}

/** Header row and data rows of a file, streamed. The header is the first row (`line` 1); rows are yielded lazily. */
export async function* readRows(path: string, format: ImportFormat, encoding?: CsvEncoding, tz = 'Asia/Shanghai'): AsyncGenerator<FileRow> {
  if (format === 'csv') yield* readCsv(path, encoding ?? 'utf-8');
  else yield* readXlsx(path, tz);
}

function decoderStream(encoding: CsvEncoding): Transform {
  const decoder = new TextDecoder(encoding);
  return new Transform({
    encoding: 'utf8', // text downstream, never re-encoded to bytes
    transform(chunk: Buffer, _enc, cb) {
      cb(null, decoder.decode(chunk, { stream: true }));
    },
    flush(cb) {
      cb(null, decoder.decode());
    },
  });
}

async function* readCsv(path: string, encoding: CsvEncoding): AsyncGenerator<FileRow> {
  const skipped: FileRow[] = [];
  const parser = parse({
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    max_record_size: 2 * READER_LIMITS.maxCsvRecordChars, // a record of many lines; single long lines are cut by lineGuard
    skip_records_with_error: true,
    info: true,
    bom: true,
  });
  parser.on('skip', (err: Error & { lines?: number }) => {
    const why = /max_record_size|MAX_RECORD_SIZE/i.test(err.message)
      ? `该行过大（超过 ${READER_LIMITS.maxCsvRecordChars} 个字符）`
      : `CSV 格式错误：${err.message.slice(0, 120)}`;
    skipped.push({ line: err.lines ?? 0, cells: [], errors: [why] });
  });
  const input = createReadStream(path, { highWaterMark: 256 * 1024 });
  const source = input.pipe(decoderStream(encoding)).pipe(lineGuard(READER_LIMITS.maxCsvRecordChars)).pipe(parser);
  input.on('error', (e) => parser.destroy(e));
  let first = true;
  try {
    for await (const rec of source as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      while (skipped.length) yield skipped.shift()!;
      if (first) {
        first = false;
        checkHeader(rec.record);
      }
      if (rec.record.some((c) => c.includes(TOO_LONG))) {
        yield {
          line: rec.info.lines,
          cells: rec.record.map((c) => c.replace(TOO_LONG, '…').slice(0, 1000)),
          errors: [`该行过大（超过 ${READER_LIMITS.maxCsvRecordChars} 个字符）`],
        };
        continue;
      }
      yield { line: rec.info.lines, cells: rec.record };
    }
    while (skipped.length) yield skipped.shift()!;
  } finally {
    input.destroy();
  }
}

function checkHeader(cells: readonly unknown[]): void {
  let n = cells.length;
  while (n > 0 && (cells[n - 1] === '' || cells[n - 1] === undefined || cells[n - 1] === null)) n--;
  if (n > READER_LIMITS.maxColumns) throw refused(`表头有 ${n} 列，最多支持 ${READER_LIMITS.maxColumns} 列；请删除多余的列`);
  if (n === 0) throw refused('第一行（表头）是空的');
}

const pad = (n: number) => String(n).padStart(2, '0');

/** One xlsx cell as text; formulas give their cached value (none: an error for the row). */
export function cellText(v: unknown, errors: string[], col: number): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(0) : String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) {
    // exceljs answers the wall clock as UTC fields
    const d = v;
    const time = d.getUTCHours() || d.getUTCMinutes() ? ` ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` : '';
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}${time}`;
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('formula' in o || 'sharedFormula' in o) {
      if (o.result === undefined || o.result === null) {
        errors.push(`第 ${col + 1} 列是公式且没有计算结果，请在 Excel 中复制后「选择性粘贴为数值」`);
        return '';
      }
      return cellText(o.result, errors, col);
    }
    if (Array.isArray(o.richText)) return (o.richText as Array<{ text?: string }>).map((r) => r.text ?? '').join('');
    if ('text' in o) return cellText(o.text, errors, col);
    if ('error' in o) return '';
  }
  return String(v as string);
}

async function* readXlsx(path: string, _tz: string): AsyncGenerator<FileRow> {
  await prescanXlsx(path);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
    entries: 'emit',
  });
  let done = false;
  let width = 0;
  try {
    for await (const ws of reader as unknown as AsyncIterable<AsyncIterable<{ number: number; values: unknown[] }> & { state?: string; name?: string }>) {
      if (done) continue;
      if (ws.state === 'hidden' || ws.state === 'veryHidden') {
        for await (const _row of ws) void _row; // a hidden sheet is never imported
        continue;
      }
      let first = true;
      for await (const row of ws) {
        const values = row.values ?? [];
        const errors: string[] = [];
        if (first) {
          first = false;
          const header = values.slice(1).map((v, i) => cellText(v, errors, i));
          checkHeader(header);
          width = header.length;
          while (width > 0 && !header[width - 1]) width--;
          yield { line: row.number, cells: header.slice(0, width) };
          continue;
        }
        const cells: string[] = [];
        for (let i = 1; i <= width; i++) cells.push(cellText(values[i], errors, i - 1));
        if (cells.every((c) => c === '') && !errors.length) continue;
        yield errors.length ? { line: row.number, cells, errors } : { line: row.number, cells };
      }
      done = true;
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw refused(`xlsx 文件无法读取：${(err as Error).message.slice(0, 120)}`);
  }
  if (!done) throw refused('工作簿中没有可见的工作表');
}
