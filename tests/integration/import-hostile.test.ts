import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import type { Response } from 'supertest';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Hostile files (issue 17): each gets a clear error (422 IMPORT_FILE_REFUSED with what to do) or a reported
 * row in the dry run, never a crash, never the file held in memory. Fixtures are generated here.
 */
let t: TestApp;
const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-import-hostile-'));
beforeAll(async () => {
  t = await startTestApp({ IMPORT_DIR: dir, IMPORT_MAX_MB: '20' });
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const as = async () => ({ Authorization: await t.login('demo-admin') });
const upload = async (body: Buffer, fileName: string) =>
  t.http
    .post('/api/v1/imports')
    .set(await as())
    .field('entity', 'customers')
    .attach('file', body, fileName);
const xlsx = async (build: (wb: ExcelJS.Workbook) => void) => {
  const wb = new ExcelJS.Workbook();
  build(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
};
/** Upload, dry run, answer the report (the file must be accepted). */
async function dryRun(body: Buffer, fileName: string) {
  const up = await upload(body, fileName);
  expect(up.status).toBe(201);
  const res = await settle(
    up.body.id,
    await t.http
      .post(`/api/v1/imports/${up.body.id}/dry-run`)
      .set(await as())
      .send({}),
  );
  expect(res.body.status).toBe('dry_run');
  return { draft: up.body, report: res.body.dryRun };
}

/** A dry run that answered 202 (still going), polled until its report is there. */
async function settle(id: string, first: Response): Promise<Response> {
  let res = first;
  for (let i = 0; i < 600 && res.body.status === 'dry_running'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    res = await t.http.get(`/api/v1/imports/${id}`).set(await as());
  }
  return res;
}

describe('files refused with a clear message', () => {
  it.each([
    [
      'an .xls (Excel 97-2003)',
      async () => Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(4096)]),
      'old.xls',
      /另存为.*\.xlsx/,
    ],
    [
      'a zip bomb (a 40 MB sheet compressed a thousandfold)',
      async () => {
        const zip = new JSZip();
        zip.file('[Content_Types].xml', '<Types/>');
        zip.file('xl/workbook.xml', '<workbook/>');
        zip.file('xl/worksheets/sheet1.xml', 'a'.repeat(40 * 1024 * 1024));
        return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
      },
      'bomb.xlsx',
      /压缩炸弹/,
    ],
    ['16,384 columns (csv)', async () => Buffer.from(`${Array.from({ length: 16_384 }, (_, i) => `列${i}`).join(',')}\n`), 'wide.csv', /16384 列/],
    [
      '16,384 columns (xlsx)',
      () =>
        xlsx((wb) => {
          const ws = wb.addWorksheet('宽');
          ws.getRow(1).getCell(1).value = '客户名称';
          ws.getRow(1).getCell(16_384).value = '最后一列';
        }),
      'wide.xlsx',
      /16384 列/,
    ],
    ['an .xlsx that is not a workbook', async () => Buffer.from('客户名称\n张三\n'), 'fake.xlsx', /不是 Excel 工作簿/],
    ['an empty file', async () => Buffer.alloc(0), 'empty.csv', /空/],
  ])('%s', async (_what, make, name, message) => {
    const res = await upload(await make(), name);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('IMPORT_FILE_REFUSED');
    expect(res.body.error.message).toMatch(message);
    expect(readdirSync(dir).filter((f) => f.endsWith('.upload'))).toEqual([]); // nothing left behind
  });

  it('a file over the size cap: 413, the upload stopped and removed', async () => {
    const res = await upload(Buffer.alloc(21 * 1024 * 1024, 0x41), 'big.csv');
    expect(res.status).toBe(413);
    expect(readdirSync(dir).filter((f) => f.endsWith('.upload'))).toEqual([]);
  });
});

describe('rows reported, the rest imported', () => {
  it('a 10 MB cell in a CSV: that row is reported, the others go on', async () => {
    const body = Buffer.concat([
      Buffer.from('客户名称,手机\n甲公司,13900000001\n'),
      Buffer.from(`乙公司,${'x'.repeat(10 * 1024 * 1024)}\n`),
      Buffer.from('丙公司,13900000003\n'),
    ]);
    const { report } = await dryRun(body, 'cell.csv');
    expect(report).toMatchObject({ rows: 3, create: 2, reject: 1 });
    expect(report.problems.find((p: { kind: string }) => p.kind === 'reject').message).toMatch(/该行过大/);
  });

  it('a 10 MB cell in an xlsx: the row is refused (Excel allows 32,767 characters)', async () => {
    const body = await xlsx((wb) => {
      const ws = wb.addWorksheet('客户');
      ws.addRow(['客户名称', '备注']);
      ws.addRow(['甲公司', randomBytes(7.5 * 1024 * 1024).toString('base64')]); // 10 MB that does not compress (a repeated letter is refused as a bomb)
      ws.addRow(['乙公司', '']);
    });
    const up = await upload(body, 'cell.xlsx');
    const res = await settle(
      up.body.id,
      await t.http
        .post(`/api/v1/imports/${up.body.id}/dry-run`)
        .set(await as())
        .send({
          mapping: [
            { column: 0, field: 'name' },
            { column: 1, field: 'note' },
          ],
        }),
    );
    expect(res.body.dryRun).toMatchObject({ rows: 2, create: 1, reject: 1 });
    expect(res.body.dryRun.problems[0].message).toMatch(/单元格过长/);
  });

  it('formulas: the cached value is used; a formula without one is a reported row', async () => {
    const body = await xlsx((wb) => {
      const ws = wb.addWorksheet('客户');
      ws.addRow(['客户名称', '手机']);
      ws.addRow([{ formula: '"甲"&"公司"', result: '甲公司' }, '13900000011']);
      ws.addRow([{ formula: '"乙"&"公司"' }, '13900000012']);
    });
    const { report } = await dryRun(body, 'formula.xlsx');
    expect(report).toMatchObject({ rows: 2, create: 1, reject: 1 });
    expect(report.problems.find((p: { kind: string }) => p.kind === 'reject')).toMatchObject({ line: 3, message: expect.stringMatching(/公式.*没有计算结果/) });
  });

  it('merged cells: the rows under a merge have no value there and are reported', async () => {
    const body = await xlsx((wb) => {
      const ws = wb.addWorksheet('客户');
      ws.addRow(['客户名称', '联系人']);
      ws.addRow(['甲公司', '张一']);
      ws.addRow(['', '张二']);
      ws.mergeCells('A2:A3');
    });
    const { report } = await dryRun(body, 'merged.xlsx');
    expect(report).toMatchObject({ rows: 2, create: 1, reject: 1 });
    expect(report.problems.find((p: { kind: string }) => p.kind === 'reject')).toMatchObject({ line: 3, message: '客户名称和公司名称都为空' });
  });

  it('hidden sheets are never imported: the first visible sheet is', async () => {
    const body = await xlsx((wb) => {
      const hidden = wb.addWorksheet('旧数据', { state: 'hidden' });
      hidden.addRow(['密码', '工资']);
      hidden.addRow(['x', '1']);
      const ws = wb.addWorksheet('客户');
      ws.addRow(['公司名称', '手机']);
      ws.addRow(['甲公司', '13900000021']);
    });
    const { draft, report } = await dryRun(body, 'hidden.xlsx');
    expect(draft.headers).toEqual(['公司名称', '手机']);
    expect(report).toMatchObject({ rows: 1, create: 1 });
  });

  it('a binary blob inside a CSV: that row is reported', async () => {
    const blob = Buffer.from([0x00, 0xff, 0xfe, 0x01, 0x02, 0x89, 0x50, 0x4e, 0x47, 0x00]);
    const body = Buffer.concat([Buffer.from('客户名称,手机\n甲公司,13900000031\n乙'), blob, Buffer.from(',13900000032\n丙公司,13900000033\n')]);
    const { report } = await dryRun(body, 'blob.csv');
    expect(report.rows).toBe(3);
    expect(report.create).toBe(2);
    expect(report.reject).toBe(1);
    expect(report.problems.find((p: { kind: string }) => p.kind === 'reject').message).toMatch(/二进制或乱码/);
  });

  it('UTF-16 (Excel "Unicode text") is detected by its BOM', async () => {
    const body = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('客户名称,手机\r\n甲公司,13900000041\r\n', 'utf16le')]);
    const { draft, report } = await dryRun(body, 'unicode.csv');
    expect(draft.encoding).toBe('utf-16le');
    expect(report).toMatchObject({ rows: 1, create: 1 });
  });
});
