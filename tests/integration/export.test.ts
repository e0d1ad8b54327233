import { PassThrough, Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { Types } from 'mongoose';
import { cellText, neutralize, BusinessClock } from '../../api/src/spreadsheet/cells';
import type { AuditEntry } from '../../api/src/modules/audit/audit.model';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Exports: exactly the caller's scope and the list's filters (compared with the list endpoint, page by page),
 * Chinese headers and names, business time, formula injection neutralized, streamed, audited, and a client
 * that goes away stops the cursor.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { crm: true });
  // records of every kind for two teams: rep1 (east) and rep3 (south)
  for (const [login, name, phone] of [
    ['demo-rep1', '导出东区', '13700005551'],
    ['demo-rep3', '导出南区', '13700005552'],
  ] as const) {
    const h = { Authorization: await t.login(login) };
    const c = await t.http
      .post('/api/v1/customers')
      .set(h)
      .send({ name, company: `${name}科技有限公司`, source: '官网', contacts: [{ name: `${name}联系人`, phones: [phone], primary: true }] });
    expect(c.status).toBe(201);
    const f = await t.http
      .post('/api/v1/follow-ups')
      .set(h)
      .send({ customerId: c.body.id, type: 'call', content: `${name}的电话`, nextStep: { text: '报价', dueAt: '2031-03-04T02:00:00Z' } });
    expect(f.status).toBe(201);
    const o = await t.http
      .post('/api/v1/opportunities')
      .set(h)
      .send({ customerId: c.body.id, name: `${name}商机`, amountFen: 1234567 });
    expect(o.status).toBe(201);
    const k = await t.http
      .post('/api/v1/contracts')
      .set(h)
      .send({ customerId: c.body.id, number: `EXP-${phone}`, title: `${name}合同`, amountFen: 990000 });
    expect(k.status).toBe(201);
  }
}, 60_000);
afterAll(() => t.close());

const as = async (login: string) => ({ Authorization: await t.login(login) });

/** The CSV answer as rows of fields (the BOM checked, then read by csv-parse as Excel would). */
function parseCsv(text: string): string[][] {
  expect(text.charCodeAt(0)).toBe(0xfeff);
  return parse(text.slice(1), { relax_column_count: false, record_delimiter: '\r\n' }) as string[][];
}

async function exportCsv(login: string, entity: string, query = ''): Promise<{ header: string[]; rows: string[][]; res: { headers: Record<string, string> } }> {
  const res = await t.http
    .get(`/api/v1/exports/${entity}?format=csv${query}`)
    .set(await as(login))
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks).toString('utf8')));
    });
  expect(res.status).toBe(200);
  const [header, ...rows] = parseCsv(res.body as string);
  return { header: header!, rows, res: res as unknown as { headers: Record<string, string> } };
}

async function exportXlsx(login: string, entity: string, query = ''): Promise<ExcelJS.Worksheet> {
  const res = await t.http
    .get(`/api/v1/exports/${entity}?format=xlsx${query}`)
    .set(await as(login))
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(res.body as never);
  return book.worksheets[0]!;
}

/** Every item the list endpoint answers for the same filters, page by page. */
async function listAll(login: string, path: string, query = ''): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let cursor: string | null = null;
  do {
    const res = await t.http.get(`/api/v1/${path}?limit=100${query}${cursor ? `&cursor=${cursor}` : ''}`).set(await as(login));
    expect(res.status).toBe(200);
    items.push(...(res.body.items as Array<Record<string, unknown>>));
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  return items;
}

describe('export: exactly what the caller may see, with the list’s filters', () => {
  // entity, list path, the column that names a row, the list field it holds
  const entities = [
    ['customers', 'customers', '客户名称', 'name'],
    ['contacts', 'contacts', '联系人', 'name'],
    ['follow-ups', 'follow-ups', '跟进内容', 'content'],
    ['opportunities', 'opportunities', '商机名称', 'name'],
    ['contracts', 'contracts', '合同编号', 'number'],
  ] as const;
  const people = ['demo-rep1', 'demo-rep3', 'demo-manager', 'demo-partner', 'demo-admin'];

  it.each(entities.flatMap(([entity, path, column, field]) => people.map((login) => [entity, login, path, column, field] as const)))(
    '%s as %s: the same rows, in the same order, as the list',
    async (entity, login, path, column, field) => {
      const { header, rows } = await exportCsv(login, entity);
      const listed = await listAll(login, path);
      const at = header.indexOf(column);
      expect(at).toBeGreaterThanOrEqual(0);
      expect(rows.map((r) => r[at])).toEqual(listed.map((x) => neutralize(String(x[field]))));
    },
  );

  it('a rep never gets another team’s records; their manager gets their team’s; the admin gets both', async () => {
    const names = async (login: string) => (await exportCsv(login, 'customers')).rows.map((r) => r[0]);
    expect(await names('demo-rep1')).toContain('导出东区');
    expect(await names('demo-rep1')).not.toContain('导出南区');
    expect(await names('demo-rep3')).not.toContain('导出东区');
    expect(await names('demo-manager')).toContain('导出东区');
    expect(await names('demo-manager')).not.toContain('导出南区');
    expect(await names('demo-admin')).toEqual(expect.arrayContaining(['导出东区', '导出南区']));
    for (const entity of ['contacts', 'follow-ups', 'opportunities', 'contracts']) {
      const rows = (await exportCsv('demo-rep1', entity)).rows.flat().join('|');
      expect(rows).toContain('导出东区');
      expect(rows).not.toContain('导出南区');
    }
  });

  it.each([
    ['customers', '&tier=A', 'customers', '&tier=A'],
    ['customers', '&owner=me&source=%E5%AE%98%E7%BD%91', 'customers', '&owner=me&source=%E5%AE%98%E7%BD%91'],
    ['customers', '&q=%E5%AF%BC%E5%87%BA', 'customers', '&q=%E5%AF%BC%E5%87%BA'],
    ['customers', '&status=pool', 'customers', '&status=pool'],
    ['opportunities', '&stage=initial', 'opportunities', '&stage=initial'],
    ['contracts', '&status=draft', 'contracts', '&status=draft'],
  ])('%s%s: the list’s filters apply', async (entity, query, path, listQuery) => {
    const { rows } = await exportCsv('demo-manager', entity, query);
    const listed = await listAll('demo-manager', path, listQuery);
    expect(rows).toHaveLength(listed.length);
  });

  it('follows the customer filter of the records’ lists', async () => {
    const [customer] = await listAll('demo-rep1', 'customers', '&q=%E5%AF%BC%E5%87%BA%E4%B8%9C');
    for (const entity of ['contacts', 'follow-ups', 'opportunities', 'contracts']) {
      const { rows } = await exportCsv('demo-rep1', entity, `&customerId=${String(customer!.id)}`);
      expect(rows.length).toBe(1);
    }
  });

  it('refuses paging fields, unknown filters and formats, and needs a token', async () => {
    const h = await as('demo-rep1');
    expect((await t.http.get('/api/v1/exports/customers?limit=5').set(h)).status).toBe(400);
    expect((await t.http.get('/api/v1/exports/customers?format=xls').set(h)).status).toBe(400);
    expect((await t.http.get('/api/v1/exports/customers?ownerId=x').set(h)).status).toBe(400);
    expect((await t.http.get('/api/v1/exports/customers')).status).toBe(401);
    expect((await t.http.get('/api/v1/exports/users').set(h)).status).toBe(404);
  });
});

describe('export: the file', () => {
  it('CSV: UTF-8 with a BOM, a Chinese file name (RFC 5987), Chinese headers, owner names, business time', async () => {
    const { header, rows, res } = await exportCsv('demo-rep1', 'follow-ups');
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    const cd = res.headers['content-disposition']!;
    expect(cd).toMatch(/^attachment; filename="follow-ups_\d{8}-\d{4}\.csv"; filename\*=UTF-8''/);
    expect(decodeURIComponent(cd.split("UTF-8''")[1]!)).toMatch(/^跟进记录_\d{8}-\d{4}\.csv$/);
    expect(header).toEqual(['客户名称', '联系人', '跟进方式', '跟进内容', '跟进时间', '下一步', '下一步时间', '记录人', '来源', '负责人', '创建时间']);
    const row = rows.find((r) => r[3] === '导出东区的电话')!;
    expect(row).toEqual([
      '导出东区',
      '',
      '电话',
      '导出东区的电话',
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d$/),
      '报价',
      '2031-03-04 10:00',
      '刘洋',
      '接口',
      '刘洋',
      expect.any(String),
    ]);
  });

  it('xlsx: one sheet named for the entity, bold Chinese headers, names, dates as business wall time, money in 元', async () => {
    const sheet = await exportXlsx(
      'demo-rep1',
      'opportunities',
      '&customerId=' + String((await listAll('demo-rep1', 'customers', '&q=%E5%AF%BC%E5%87%BA%E4%B8%9C'))[0]!.id),
    );
    expect(sheet.name).toBe('商机');
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(['商机名称', '客户名称', '金额（元）', '阶段', '赢率(%)', '预计成交日期', '关闭时间', '输单原因', '负责人', '创建时间', '更新时间']);
    const row = (sheet.getRow(2).values as unknown[]).slice(1);
    expect(row[0]).toBe('导出东区商机');
    expect(row[1]).toBe('导出东区');
    expect(row[2]).toBe(12345.67);
    expect(row[8]).toBe('刘洋');
    const created = row[9] as Date;
    expect(created).toBeInstanceOf(Date);
    const opp = (await listAll('demo-rep1', 'opportunities')).find((o) => o.name === '导出东区商机')!;
    // the cell shows Asia/Shanghai wall time (UTC+8): Excel has no zones
    expect(Math.abs(created.getTime() - (new Date(opp.createdAt as string).getTime() + 8 * 3600_000))).toBeLessThan(1000);
    expect(sheet.rowCount).toBe(2);
  });

  it('is audited: who, which entity, the filters, the format and the row count', async () => {
    const { rows } = await exportCsv('demo-rep3', 'customers', '&tier=B');
    const entry = await t.conn.model<AuditEntry>('AuditEntry').findOne({ action: 'export.done', entityType: 'export' }).sort({ _id: -1 }).lean();
    expect(entry).toMatchObject({ actorName: '黄磊', channel: 'api' });
    expect(JSON.parse(entry!.note!)).toEqual({ entity: 'customers', format: 'csv', filters: { tier: 'B' }, rows: rows.length });
  });
});

describe('export: spreadsheet formula injection', () => {
  it.each([
    ['=HYPERLINK("http://x","点我")', `'=HYPERLINK("http://x","点我")`],
    ['+86 138', `'+86 138`],
    ['-1+2', `'-1+2`],
    ['@SUM(A1)', `'@SUM(A1)`],
    ['\t=1', `'\t=1`],
    ['\r=1', `'\r=1`],
    ['普通文字', '普通文字'],
    ['a=1', 'a=1'],
    ['', ''],
    [' =1', ' =1'],
  ])('%j → %j', (input, expected) => {
    expect(neutralize(input)).toBe(expected);
    expect(cellText(input)).toBe(expected);
  });

  it('drops characters an xlsx cannot hold and cuts a cell to Excel’s 32,767 characters', () => {
    expect(cellText('a\u0000b\u0007c\u000bd')).toBe('abcd');
    expect(cellText('x'.repeat(40_000))).toHaveLength(32_767);
  });

  it('a customer named like a formula is exported as text, in CSV and xlsx', async () => {
    const h = await as('demo-rep2');
    const c = await t.http
      .post('/api/v1/customers')
      .set(h)
      .send({ name: '=1+2', company: '@cmd|calc', source: '官网', tags: ['-危险'] });
    expect(c.status).toBe(201);
    const { rows } = await exportCsv('demo-rep2', 'customers', '&q=%3D1');
    const csvRow = rows.find((r) => r[0] === "'=1+2");
    expect(csvRow?.slice(0, 2)).toEqual(["'=1+2", "'@cmd|calc"]);
    expect(csvRow![9]).toBe("'-危险");
    const sheet = await exportXlsx('demo-rep2', 'customers');
    const values = sheet.getColumn(1).values as unknown[];
    expect(values).toContain("'=1+2");
    sheet.eachRow((row) => row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)));
  });
});

describe('export: streaming', () => {
  it('stops reading when the client goes away, and audits what was sent', async () => {
    const admin = await t.services.org.findActiveUserByPlatformId('wecom', 'demo-admin');
    // 3,000 bare customers of rep1's team straight through the driver (no API offers bulk data)
    const rep1 = await t.services.org.findActiveUserByPlatformId('wecom', 'demo-rep1');
    const docs = Array.from({ length: 3000 }, (_, i) => ({
      _id: new Types.ObjectId(),
      name: `批量客户${i}`,
      source: '官网',
      tier: 'C',
      tags: [],
      status: 'owned',
      ownerId: rep1!._id,
      departmentId: rep1!.departmentIds[0] ?? null,
      sharedWith: [],
      searchKeys: [],
      dedupe: { mobiles: [], emails: [], personNames: [] },
      createdAt: new Date(),
      updatedAt: new Date(),
    }));
    await t.conn.collection('customers').insertMany(docs);
    const actor = { user: admin!, viewer: await t.services.org.resolveViewer(admin!) };
    const out = new PassThrough({ highWaterMark: 1024 });
    const meta = { requestId: 'export-abort', channel: 'api' as const, actorId: admin!._id };
    const done = t.services.exports.run(actor, meta, { entity: 'customers', format: 'csv', filters: {} }, out);
    // read one chunk, then hang up
    await new Promise<void>((resolve) => out.once('data', () => resolve()));
    out.destroy();
    const result = await done;
    expect(result.aborted).toBe(true);
    expect(result.rows).toBeLessThan(3000);
    const entry = await t.conn.model<AuditEntry>('AuditEntry').findOne({ requestId: 'export-abort' }).lean();
    expect(entry?.action).toBe('export.aborted');
    expect(JSON.parse(entry!.note!).rows).toBe(result.rows);
  });

  it('writes no more than the client takes (back-pressure): a paused reader holds the export', async () => {
    const admin = await t.services.org.findActiveUserByPlatformId('wecom', 'demo-admin');
    const actor = { user: admin!, viewer: await t.services.org.resolveViewer(admin!) };
    for (const format of ['csv', 'xlsx'] as const) {
      let taken = 0;
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => (release = r));
      const sink = new Writable({
        highWaterMark: 1024,
        write(chunk: Buffer, _enc, cb) {
          taken += chunk.length;
          if (taken > 4096) void gate.then(() => cb());
          else cb();
        },
      });
      const out = new PassThrough({ highWaterMark: 1024 });
      out.pipe(sink);
      const meta = { requestId: `export-pressure-${format}`, channel: 'api' as const, actorId: admin!._id };
      let settled = false;
      const done = t.services.exports.run(actor, meta, { entity: 'customers', format, filters: {} }, out).finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false); // held by the reader, not buffered to the end
      release();
      const result = await done;
      expect(result).toMatchObject({ aborted: false });
      expect(result.rows).toBeGreaterThan(3000);
    }
  });

  it('BusinessClock formats in the configured zone', () => {
    const clock = new BusinessClock('Asia/Shanghai');
    expect(clock.format(new Date('2026-11-30T16:05:00Z'))).toBe('2026-12-01 00:05');
    expect(new BusinessClock('America/New_York').format(new Date('2026-07-01T12:00:00Z'))).toBe('2026-07-01 08:00');
    expect(new BusinessClock('America/New_York').format(new Date('2026-12-01T12:00:00Z'))).toBe('2026-12-01 07:00');
  });
});
