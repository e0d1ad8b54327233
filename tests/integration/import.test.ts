import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { Types } from 'mongoose';
import { buildSystem, silentLogger } from '@crm/server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { TEST_DB_KIND } from '../helpers/test-db';

/**
 * Imports end to end through the API: upload (GBK CSV, xlsx), suggested mapping, the dry run (nothing
 * written), the real run as a job (worked by `work`, as the import job does), dedupe within the file and
 * against the database within the importer's scope, claims, errors.xlsx, update mode, rollback, a crash
 * mid-run resumed by another system, and the permission.
 */
let t: TestApp;
const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-import-test-'));
beforeAll(async () => {
  t = await startTestApp({ IMPORT_DIR: dir, IMPORT_BATCH_ROWS: '10' }, { crm: true });
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const as = async (login: string) => ({ Authorization: await t.login(login) });
const uid = (login: string) => String(t.seeded.org.users.get(login));
const csv = (rows: string[][]) => rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n') + '\r\n';
const HEADER = ['客户名称', '公司名称', '联系人', '手机', '邮箱', '来源', '客户等级', '负责人', '地区', '下次联系时间', '行业'];

async function upload(login: string, body: Buffer, fileName: string) {
  return t.http
    .post('/api/v1/imports')
    .set(await as(login))
    .field('entity', 'customers')
    .attach('file', body, fileName);
}

/** The dry run: answered in the request when quick, else 202 and polled until the report is there. */
async function dryRun(login: string, id: string, body: Record<string, unknown>) {
  let res = await t.http
    .post(`/api/v1/imports/${id}/dry-run`)
    .set(await as(login))
    .send(body);
  for (let i = 0; i < 600 && res.status === 202; i++) {
    await new Promise((r) => setTimeout(r, 100));
    res = await t.http.get(`/api/v1/imports/${id}`).set(await as(login));
    if (res.body.status !== 'dry_running') break;
  }
  return res;
}

/** Works the queued runs / rollbacks to the end, as the import job does. */
async function drain(holder = 'test-worker'): Promise<void> {
  for (let i = 0; i < 1000 && (await t.services.imports.work(holder)); i++);
}

const imported = (importId: string) =>
  t.conn
    .collection('customers')
    .find({ importId: new Types.ObjectId(importId) })
    .toArray();

describe('a GBK CSV from Excel: mapping, dry run, real run, errors, rollback', () => {
  let id: string;
  beforeAll(async () => {
    // a customer of another team (demo-rep3 is outside demo-manager's scope)
    const other = await t.http
      .post('/api/v1/customers')
      .set(await as('demo-rep3'))
      .send({ name: '赵六', company: '深圳远航物流有限公司', source: '官网', contacts: [{ name: '赵六', phones: ['13555550000'] }] });
    expect(other.status).toBe(201);
  });

  it('detects the encoding and suggests the mapping from the Chinese headers', async () => {
    const rows = [
      HEADER,
      ['新客户甲', '苏州甲乙科技有限公司', '钱一', '+86 139 0000 1111', 'Qian@JiaYi.example.com', '转介绍', '重点', '刘洋', '江苏省苏州市', '2025/3/5', '制造'],
      ['新客户乙', '南京乙丙贸易有限公司', '孙二', '13900002222；021-55556666', '', '展会', 'B', '陈静', '', '45292', ''],
      ['新客户丙', '杭州丙丁网络有限公司', '李三', '13900003333', 'not-an-email', '不知道', '？', '黄磊', '', '', ''],
      ['重复丙', '另一家公司', '李三', '139 0000 3333', '', '', '', '', '', '', ''],
      ['张三', '上海星辰信息科技有限公司', '张三', '13800138000', '', '', '', '', '', '', ''],
      ['赵六', '远航', '赵六', '13555550000', '', '', '', '', '', '', ''],
      ['', '', '周七', '13900007777', '', '', '', '', '', '', ''],
      ['坏行\u0000\u0001', '某某公司', '', '', '', '', '', '', '', '', ''],
    ];
    const res = await upload('demo-manager', iconv.encode(csv(rows), 'gbk'), '../../etc/passwd');
    expect(res.status).toBe(201);
    id = res.body.id;
    expect(res.body).toMatchObject({ status: 'draft', format: 'csv', encoding: 'gb18030', fileName: 'passwd', headers: HEADER });
    expect(res.body.mapping.map((m: { field: string | null }) => m.field)).toEqual([
      'name',
      'company',
      'contactName',
      'phones',
      'email',
      'source',
      'tier',
      'owner',
      'region',
      'nextFollowUpAt',
      'industry',
    ]);
    // stored under our own id, never under the client's name
    expect(readdirSync(dir)).toEqual([`${id}.upload`]);
  });

  it('the dry run writes nothing and reports create / skip / reject with reasons and cleansing', async () => {
    const before = await t.conn.collection('customers').countDocuments();
    const res = await dryRun('demo-manager', id, { ownerFallback: { mode: 'owner' } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('dry_run');
    const r = res.body.dryRun;
    expect(r).toMatchObject({ rows: 8, create: 3, update: 0, skip: 3, reject: 2 });
    const byLine = (line: number) => r.problems.filter((p: { line: number }) => p.line === line).map((p: { message: string }) => p.message);
    expect(byLine(5)).toEqual(['文件内重复：与第 4 行的手机号相同']);
    expect(byLine(6)[0]).toMatch(/^已存在：张三/);
    expect(byLine(7)).toEqual(['其他团队已有（公司、手机号相同）']); // never the name, owner or company
    expect(byLine(8)).toEqual(['客户名称和公司名称都为空']);
    expect(byLine(9)[0]).toMatch(/二进制/);
    expect(byLine(4)).toEqual(expect.arrayContaining(['来源「不知道」无法识别，记为 其他', '邮箱「not-an-email」格式不正确，已忽略']));
    expect(byLine(4).some((m: string) => m.startsWith('负责人「黄磊」未找到或不在你的管理范围'))).toBe(true);
    expect(r.cleansing['手机 / 电话'].examples[0]).toEqual({ line: 2, before: '+86 139 0000 1111', after: '+8613900001111' });
    expect(r.cleansing['客户等级'].examples[0]).toMatchObject({ before: '重点', after: 'A' });
    expect(r.cleansing['来源'].examples[0]).toMatchObject({ before: '转介绍', after: '老客户推荐' });
    expect(await t.conn.collection('customers').countDocuments()).toBe(before);
  });

  it('the real run writes each row once, tagged, with claims, owners in scope, and reports', async () => {
    const res = await t.http
      .post(`/api/v1/imports/${id}/run`)
      .set(await as('demo-manager'))
      .send({ dedupe: 'skip' });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('queued');
    await drain();
    const done = await t.http.get(`/api/v1/imports/${id}`).set(await as('demo-manager'));
    expect(done.body).toMatchObject({ status: 'done', run: { rows: 8, create: 3, skip: 3, reject: 2 }, progress: { done: 8, total: 8, percent: 100 } });
    const rows = await imported(id);
    const byName = new Map(rows.map((c) => [c.name as string, c]));
    expect([...byName.keys()].sort()).toEqual(['新客户丙', '新客户乙', '新客户甲']);
    expect(String(byName.get('新客户甲')!.ownerId)).toBe(uid('demo-rep1'));
    expect(String(byName.get('新客户乙')!.ownerId)).toBe(uid('demo-rep2'));
    expect(String(byName.get('新客户丙')!.ownerId)).toBe(uid('demo-manager')); // 黄磊 is outside the scope: the default owner
    expect(byName.get('新客户甲')).toMatchObject({ tier: 'A', source: '老客户推荐', region: { province: '江苏', city: '苏州' }, industry: '制造' });
    expect((byName.get('新客户乙')!.nextFollowUpAt as Date).toISOString()).toBe('2024-01-01T01:00:00.000Z'); // Excel serial 45292, 09:00 Shanghai
    const contacts = await t.conn
      .collection('contacts')
      .find({ importId: new Types.ObjectId(id) })
      .toArray();
    expect(contacts.map((c) => c.mobiles).sort()).toEqual([['+8613900001111'], ['+8613900002222'], ['+8613900003333']]);
    // the identities are claimed: a rep typing the same mobile gets the duplicate answer
    const dup = await t.http
      .post('/api/v1/customers')
      .set(await as('demo-rep2'))
      .send({ name: '又一个', source: '官网', contacts: [{ name: '钱一', phones: ['13900001111'] }] });
    expect(dup.status).toBe(409);
    // the rep sees their imported customer
    const list = await t.http.get('/api/v1/customers?q=新客户甲').set(await as('demo-rep1'));
    expect(list.body.items.map((c: { name: string }) => c.name)).toEqual(['新客户甲']);
    expect(list.body.items[0].importId).toBeUndefined();
    const audit = await t.conn.collection('audit_log').findOne({ action: 'import.finished', entityId: id });
    expect(audit?.note).toContain('新建 3');
    // the importer heard at start and end, once each (through the bot's notifier: the sandbox channel here)
    const said = (await t.conn.collection('sandbox_messages').find({ platformUserId: 'demo-manager', direction: 'out' }).toArray()).map((m) =>
      JSON.stringify(m.message),
    );
    expect(said.filter((m) => m.includes('开始导入「passwd」：共 8 行'))).toHaveLength(1);
    expect(said.filter((m) => m.includes('导入完成「passwd」：新建 3，更新 0，跳过 3，拒绝 2'))).toHaveLength(1);
  });

  it('errors.xlsx has the original rows not imported and a reason column', async () => {
    const res = await t.http
      .get(`/api/v1/imports/${id}/errors.xlsx`)
      .set(await as('demo-manager'))
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).values).toEqual([undefined, '原行号', ...HEADER, '原因']);
    expect(ws.rowCount).toBe(1 + 5);
    expect(ws.getRow(2).getCell(1).value).toBe(5);
    expect(ws.getRow(2).getCell(HEADER.length + 2).value).toBe('文件内重复：与第 4 行的手机号相同');
  });

  it('only the importer (or an admin) sees an import; a rep may not import', async () => {
    expect((await t.http.get(`/api/v1/imports/${id}`).set(await as('demo-gm'))).status).toBe(404);
    expect((await t.http.get(`/api/v1/imports/${id}`).set(await as('demo-admin'))).status).toBe(200);
    expect((await upload('demo-rep1', Buffer.from('客户名称\n甲\n'), 'a.csv')).status).toBe(403);
  });

  it('rollback removes what it created, except a customer changed since (reported)', async () => {
    const rows = await imported(id);
    const yi = rows.find((c) => c.name === '新客户乙')!;
    const edit = await t.http
      .patch(`/api/v1/customers/${String(yi._id)}`)
      .set(await as('demo-manager'))
      .send({ tier: 'A' });
    expect(edit.status).toBe(200);
    const res = await t.http.post(`/api/v1/imports/${id}/rollback`).set(await as('demo-manager'));
    expect(res.status).toBe(202);
    await drain();
    const after = await t.http.get(`/api/v1/imports/${id}`).set(await as('demo-manager'));
    expect(after.body).toMatchObject({ status: 'rolled_back', rollback: { removed: 2, restored: 0, kept: 1 } });
    expect((await imported(id)).map((c) => c.name)).toEqual(['新客户乙']);
    expect(await t.conn.collection('contacts').countDocuments({ mobiles: '+8613900001111' })).toBe(0);
    // the identities are free again
    const again = await t.http
      .post('/api/v1/customers')
      .set(await as('demo-rep2'))
      .send({ name: '又一个', source: '官网', contacts: [{ name: '钱一', phones: ['13900001111'] }] });
    expect(again.status).toBe(201);
    expect(await t.conn.collection('audit_log').countDocuments({ action: 'import.rollback', entityId: id })).toBe(1);
  });
});

describe('update mode (upsert by mobile / email / company) and its rollback', () => {
  it('updates records in scope, adds a new contact, and rollback restores them', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('客户');
    ws.addRow(['公司', '姓名', '电话', '等级', '行业']);
    ws.addRow(['上海星辰信息科技有限公司', '张三', '13800138000', 'D', '软件']);
    ws.addRow(['杭州云帆网络科技有限公司', '曾二', '13700009999', 'B', '']);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const up = await upload('demo-manager', buf, '更新.xlsx');
    expect(up.status).toBe(201);
    const id = up.body.id as string;
    const original = await t.conn.collection('customers').findOne({ name: '张三' });
    const dry = await dryRun('demo-manager', id, { dedupe: 'update' });
    expect(dry.body.dryRun).toMatchObject({ rows: 2, update: 2, create: 0 });
    await t.http
      .post(`/api/v1/imports/${id}/run`)
      .set(await as('demo-manager'))
      .send({ dedupe: 'update' });
    await drain();
    const zhang = await t.conn.collection('customers').findOne({ name: '张三' });
    expect(zhang).toMatchObject({ tier: 'D', industry: '软件' });
    const yunfan = await t.conn.collection('customers').findOne({ name: '曾小贤' });
    const cs = await t.conn.collection('contacts').find({ customerId: yunfan!._id }).toArray();
    expect(cs.map((c) => c.name).sort()).toEqual(['曾二', '曾小贤']);
    expect(await t.conn.collection('audit_log').countDocuments({ action: 'customer.update', channel: 'import' })).toBeGreaterThanOrEqual(2);

    await t.http.post(`/api/v1/imports/${id}/rollback`).set(await as('demo-manager'));
    await drain();
    const back = await t.http.get(`/api/v1/imports/${id}`).set(await as('demo-manager'));
    expect(back.body).toMatchObject({ status: 'rolled_back', rollback: { restored: 2, kept: 0 } });
    expect(await t.conn.collection('customers').findOne({ name: '张三' })).toMatchObject({ tier: original!.tier, industry: original!.industry });
    expect(await t.conn.collection('contacts').countDocuments({ customerId: yunfan!._id })).toBe(1);
  });
});

describe('a crash mid-run: another system resumes from the checkpoint, each row once', () => {
  it('resumes after the lease runs out without importing any row twice', async () => {
    const rows = [['客户名称', '公司名称', '手机']];
    for (let i = 0; i < 35; i++)
      rows.push([
        `续传客户${i}`,
        `续传${String.fromCharCode(0x4e00 + i * 7)}${String.fromCharCode(0x4e50 + i)}有限公司`,
        `1350000${String(i).padStart(4, '0')}`,
      ]);
    const up = await upload('demo-manager', Buffer.from(`\ufeff${csv(rows)}`, 'utf8'), 'resume.csv');
    expect(up.body.encoding).toBe('utf-8');
    const id = up.body.id as string;
    await dryRun('demo-manager', id, {});
    await t.http
      .post(`/api/v1/imports/${id}/run`)
      .set(await as('demo-manager'))
      .send({});
    // worker A does two batches (20 rows), then dies after writing a third batch but before its checkpoint
    expect(await t.services.imports.work('worker-A', { maxBatches: 2 })).toBe(true);
    const mid = await t.http.get(`/api/v1/imports/${id}`).set(await as('demo-manager'));
    expect(mid.body).toMatchObject({ status: 'running', progress: { done: 20, total: 35 } });
    const saved = await t.conn.collection('imports').findOne({ _id: new Types.ObjectId(id) });
    expect(await t.services.imports.work('worker-A', { maxBatches: 1 })).toBe(true);
    await t.conn.collection('imports').updateOne({ _id: new Types.ObjectId(id) }, { $set: { progress: saved!.progress, run: saved!.run } });
    expect((await imported(id)).length).toBe(30);
    // while A's lease holds, nobody else takes the run
    const other = buildSystem(t.config, { connection: t.conn, databaseKind: TEST_DB_KIND, logger: silentLogger() });
    expect(await other.services.imports.work('worker-B')).toBe(false);
    await t.conn.collection('imports').updateOne({ _id: new Types.ObjectId(id) }, { $set: { 'lease.until': new Date(Date.now() - 1000) } });
    while (await other.services.imports.work('worker-B'));
    await other.stop();
    const done = await t.http.get(`/api/v1/imports/${id}`).set(await as('demo-manager'));
    expect(done.body).toMatchObject({ status: 'done', run: { rows: 35, create: 35 }, progress: { done: 35 } });
    const all = await imported(id);
    expect(all.length).toBe(35);
    expect(new Set(all.map((c) => c.name)).size).toBe(35);
    expect(await t.conn.collection('contacts').countDocuments({ importId: new Types.ObjectId(id) })).toBe(35);
    expect(await t.conn.collection('audit_log').countDocuments({ action: 'import.finished', entityId: id })).toBe(1);
  });

  it('a cancel stops the run at the next batch; what was written can be rolled back', async () => {
    const rows = [['客户名称', '手机']];
    for (let i = 0; i < 30; i++) rows.push([`取消客户${i}`, `1360000${String(i).padStart(4, '0')}`]);
    const up = await upload('demo-manager', Buffer.from(csv(rows)), 'cancel.csv');
    const id = up.body.id as string;
    await dryRun('demo-manager', id, {});
    await t.http
      .post(`/api/v1/imports/${id}/run`)
      .set(await as('demo-manager'))
      .send({});
    await t.services.imports.work('worker-C', { maxBatches: 1 });
    expect((await t.http.post(`/api/v1/imports/${id}/cancel`).set(await as('demo-manager'))).status).toBe(200);
    await drain('worker-C');
    const after = await t.http.get(`/api/v1/imports/${id}`).set(await as('demo-manager'));
    expect(after.body).toMatchObject({ status: 'cancelled', progress: { done: 10 } });
    expect((await imported(id)).length).toBe(10);
    await t.http.post(`/api/v1/imports/${id}/rollback`).set(await as('demo-manager'));
    await drain('worker-C');
    expect((await imported(id)).length).toBe(0);
  });
});

describe('templates', () => {
  it('saves a named mapping per user and applies it to the next upload', async () => {
    const saved = await t.http
      .post('/api/v1/imports/templates')
      .set(await as('demo-manager'))
      .send({
        name: '旧系统导出',
        columns: [
          { header: 'Col A', field: 'company' },
          { header: 'Col B', field: 'phones' },
        ],
      });
    expect(saved.status).toBe(201);
    const up = await t.http
      .post('/api/v1/imports')
      .set(await as('demo-manager'))
      .field('entity', 'customers')
      .field('mappingTemplateId', saved.body.id)
      .attach('file', Buffer.from('Col A,Col B\n甲公司,13900000000\n'), 'old.csv');
    expect(up.body.mapping.map((m: { field: string }) => m.field)).toEqual(['company', 'phones']);
    const list = await t.http.get('/api/v1/imports/templates').set(await as('demo-gm'));
    expect(list.body.items).toEqual([]); // per user
  });
});
