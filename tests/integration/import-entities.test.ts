import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Types } from 'mongoose';
import { buildSystem, silentLogger } from '@crm/server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { TEST_DB_KIND } from '../helpers/test-db';

/**
 * What a row carries besides its customer, end to end: several contacts of one company on several rows (新增联系人,
 * to a customer created by an earlier row or one in the importer's scope; never one of another team), follow-ups
 * (跟进 columns, 备注 as a note) and opportunities, the dry run's and the run's counts per entity, a crash mid-run
 * that doubles nothing, and a rollback that removes them.
 */
let t: TestApp;
const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-import-entities-'));
beforeAll(async () => {
  t = await startTestApp({ IMPORT_DIR: dir, IMPORT_BATCH_ROWS: '10' }, { crm: true });
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const as = async (login: string) => ({ Authorization: await t.login(login) });
const uid = (login: string) => String(t.seeded.org.users.get(login));
const oid = (id: string) => new Types.ObjectId(id);
const csv = (rows: string[][]) => rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n') + '\r\n';

const HEADER = ['公司名称', '联系人', '手机', '负责人', '跟进内容', '跟进时间', '跟进方式', '商机名称', '金额', '预计成交', '阶段', '备注'];
type Cells = Partial<Record<(typeof HEADER)[number], string>>;
const line = (c: Cells) => HEADER.map((h) => c[h] ?? '');

async function upload(login: string, rows: Cells[], fileName: string): Promise<string> {
  const res = await t.http
    .post('/api/v1/imports')
    .set(await as(login))
    .field('entity', 'customers')
    .attach('file', Buffer.from(csv([HEADER, ...rows.map(line)])), fileName);
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function dryRun(login: string, id: string, body: Record<string, unknown> = {}) {
  let res = await t.http
    .post(`/api/v1/imports/${id}/dry-run`)
    .set(await as(login))
    .send(body);
  for (let i = 0; i < 600 && res.status === 202; i++) {
    await new Promise((r) => setTimeout(r, 100));
    res = await t.http.get(`/api/v1/imports/${id}`).set(await as(login));
    if (res.body.status !== 'dry_running') break;
  }
  expect(res.body.status).toBe('dry_run');
  return res.body;
}

async function drain(holder = 'test-worker'): Promise<void> {
  for (let i = 0; i < 1000 && (await t.services.imports.work(holder)); i++);
}

const tagged = (collection: string, importId: string) =>
  t.conn
    .collection(collection)
    .find({ importId: oid(importId) })
    .toArray();

describe('one file: customers, several contacts per company, follow-ups, notes and opportunities', () => {
  // line → what the row is (IMPORT_BATCH_ROWS 10: lines 2–11, then 12)
  const ROWS: Cells[] = [
    /* 2 */ {
      公司名称: '实体甲科技有限公司',
      联系人: '王一',
      手机: '13911110001',
      负责人: '刘洋',
      跟进内容: '初次拜访，了解需求',
      跟进时间: '2025-01-05 10:00',
      跟进方式: '上门拜访',
      商机名称: '甲一期项目',
      金额: '¥12,000',
      预计成交: '2025-06-30',
      阶段: '需求确认',
      备注: '老板很难约',
    },
    /* 3 */ { 公司名称: '实体甲科技有限公司', 联系人: '王二', 手机: '13911110002', 跟进内容: '电话沟通报价', 跟进时间: '2025/1/8', 跟进方式: '电话' },
    /* 4 */ { 公司名称: '实体甲科技有限公司', 联系人: '王一', 手机: '139 1111 0001', 跟进内容: '重复行的跟进' },
    /* 5 */ { 公司名称: '实体乙贸易有限公司', 联系人: '李四', 手机: '13911110004', 负责人: '陈静', 商机名称: '乙项目', 金额: '3万元', 阶段: '已成交' },
    /* 6 */ {
      公司名称: '实体丙有限公司',
      联系人: '赵五',
      手机: '13911110005',
      跟进内容: '未来的跟进',
      跟进时间: '2099-01-01',
      商机名称: '丙项目',
      金额: '1.2万',
      阶段: '谈判中',
    },
    /* 7 */ { 公司名称: '实体丙有限公司' },
    /* 8 */ { 公司名称: '上海星辰信息科技有限公司', 联系人: '新同事', 手机: '13911110008', 跟进内容: '补录的拜访', 跟进时间: '2025-01-10', 跟进方式: '拜访' },
    /* 9 */ { 公司名称: '深圳远航物流有限公司', 联系人: '外人', 手机: '13911110009', 跟进内容: '不该写入的跟进' },
    /* 10 */ { 公司名称: '实体丁有限公司', 联系人: '钱六', 手机: '13911110010', 商机名称: '丁项目', 金额: '很多' },
    /* 11 */ { 公司名称: '实体戊有限公司' },
    /* 12 */ { 公司名称: '实体甲科技有限公司', 联系人: '王三', 手机: '13911110011' },
  ];
  let id: string;
  let zhangsan: Record<string, unknown>;
  let yuanhang: Record<string, unknown>;
  let stepId: string;

  beforeAll(async () => {
    const other = await t.http
      .post('/api/v1/customers')
      .set(await as('demo-rep3'))
      .send({ name: '赵六', company: '深圳远航物流有限公司', source: '官网', contacts: [{ name: '赵六', phones: ['13555550000'] }] });
    expect(other.status).toBe(201);
    yuanhang = (await t.conn.collection('customers').findOne({ _id: oid(other.body.id) }))!;
    zhangsan = (await t.conn.collection('customers').findOne({ name: '张三', company: '上海星辰信息科技有限公司' }))!;
    // the owner's next step on 张三, due today: an imported follow-up of January must not settle it
    const step = await t.http
      .post('/api/v1/follow-ups')
      .set(await as('demo-rep1'))
      .send({ customerId: String(zhangsan._id), type: 'call', content: '约了回电', nextStep: { text: '回电确认', dueAt: new Date(Date.now() + 120_000) } });
    expect(step.status).toBe(201);
    stepId = step.body.id;
    zhangsan = (await t.conn.collection('customers').findOne({ _id: zhangsan._id as Types.ObjectId }))!;
    id = await upload('demo-manager', ROWS, '客户与商机.csv');
  });

  it('the dry run counts customers, 新增联系人 apart, and each entity a row carries', async () => {
    const r = (await dryRun('demo-manager', id, { ownerFallback: { mode: 'owner' } })).dryRun;
    expect(r).toMatchObject({ rows: 11, create: 5, update: 0, contactsAdded: 3, skip: 3, reject: 0 });
    expect(r.entities).toEqual({
      contacts: { create: 7, skip: 2, reject: 0 }, // 4 customers' first contacts (戊 has none) + 王二, 新同事, 王三; 王一 again and 外人 skipped
      followUps: { create: 4, skip: 2, reject: 1 }, // visit + note (line 2), call (3), visit (8); lines 4 and 9 skipped; line 6 in the future
      opportunities: { create: 3, skip: 0, reject: 1 }, // line 10's amount is not one
    });
    const said = (l: number) => r.problems.filter((p: { line: number }) => p.line === l).map((p: { message: string }) => p.message);
    expect(said(4)).toEqual(['文件内重复：与第 2 行的手机号相同']);
    expect(said(6)).toEqual(['跟进时间「2099-01-01」晚于现在，跟进记录未导入']);
    expect(said(7)).toEqual(['文件内重复：与第 6 行的公司相同']); // no person to add
    expect(said(9)).toEqual(['其他团队已有（公司相同）']); // never a contact of another team's customer
    expect(said(10)).toEqual(['金额「很多」无法识别，商机未导入']);
    expect(r.cleansing['商机金额'].examples).toEqual([
      { line: 2, before: '¥12,000', after: '¥12,000.00' },
      { line: 5, before: '3万元', after: '¥30,000.00' },
      { line: 6, before: '1.2万', after: '¥12,000.00' },
    ]);
    expect(r.cleansing['销售阶段'].examples.map((e: { before: string; after: string }) => `${e.before} → ${e.after}`)).toEqual([
      '已成交 → 赢单',
      '谈判中 → 商务谈判',
    ]); // 需求确认 is a stage's name already
    expect(r.cleansing['跟进方式'].examples[0]).toEqual({ line: 2, before: '上门拜访', after: '拜访' });
    expect(await t.conn.collection('follow_ups').countDocuments({ source: 'import' })).toBe(0);
    expect(await t.conn.collection('opportunities').countDocuments({ importId: { $exists: true } })).toBe(0);
  });

  it('the real run writes them for the row customer, tagged, authored and owned as the customer', async () => {
    await t.http
      .post(`/api/v1/imports/${id}/run`)
      .set(await as('demo-manager'))
      .send({ dedupe: 'skip' });
    await drain();
    const job = (await t.http.get(`/api/v1/imports/${id}`).set(await as('demo-manager'))).body;
    const dry = job.dryRun;
    expect(job.status).toBe('done');
    for (const k of ['rows', 'create', 'update', 'skip', 'reject', 'contactsAdded', 'entities']) expect(job.run[k]).toEqual(dry[k]);

    const customers = await tagged('customers', id);
    const byCompany = new Map(customers.map((c) => [c.company as string, c]));
    expect([...byCompany.keys()].sort()).toEqual(['实体丁有限公司', '实体戊有限公司', '实体丙有限公司', '实体乙贸易有限公司', '实体甲科技有限公司'].sort());
    const jia = byCompany.get('实体甲科技有限公司')!;
    expect(String(jia.ownerId)).toBe(uid('demo-rep1'));
    const contactsOf = async (customerId: unknown) =>
      (await t.conn.collection('contacts').find({ customerId }).toArray()).map((c) => `${c.name} ${c.mobiles.join(',')}`).sort();
    // three people of one company on three rows (two batches): one customer, three contacts, each mobile claimed for it
    expect(await contactsOf(jia._id)).toEqual(['王一 +8613911110001', '王三 +8613911110011', '王二 +8613911110002']);
    const jiaNow = (await t.conn.collection('customers').findOne({ _id: jia._id }))!;
    expect([...jiaNow.dedupe.mobiles].sort()).toEqual(['+8613911110001', '+8613911110002', '+8613911110011']);
    expect(jiaNow.updatedAt.getTime()).toBe(jiaNow.createdAt.getTime()); // still "unchanged since the import"
    // found by the later rows' people: their names and numbers are in the customer's search keys
    for (const q of ['王三', '13911110002']) {
      const found = await t.http.get(`/api/v1/customers?q=${encodeURIComponent(q)}`).set(await as('demo-rep1'));
      expect(found.body.items.map((c: { id: string }) => c.id)).toEqual([String(jia._id)]);
    }
    const claim = await t.conn.collection('customer_identity_claims').findOne({ _id: 'mobile:8613911110011' as never });
    expect(String(claim?.customerId)).toBe(String(jia._id));
    // the existing customer in scope got its new person; the other team's customer got nothing
    expect(await contactsOf(zhangsan._id)).toEqual(expect.arrayContaining(['新同事 +8613911110008']));
    expect(await contactsOf(yuanhang._id)).toEqual(['赵六 +8613555550000']);
    const reminder = await t.conn.collection('reminders').findOne({ kind: 'next-step', followUpId: oid(stepId) });
    expect(reminder?.status).toBe('scheduled'); // history from a file settles no reminder
    expect((await t.conn.collection('customers').findOne({ _id: yuanhang._id as Types.ObjectId }))!.updatedAt).toEqual(yuanhang.updatedAt);

    const followUps = await tagged('follow_ups', id);
    const fu = followUps.map((f) => ({
      customer: String(f.customerId),
      author: String(f.authorId),
      owner: String(f.ownerId),
      type: f.type,
      content: f.content,
      source: f.source,
    }));
    expect(fu.sort((a, b) => a.content.localeCompare(b.content))).toEqual(
      [
        { customer: String(jia._id), author: uid('demo-rep1'), owner: uid('demo-rep1'), type: 'visit', content: '初次拜访，了解需求', source: 'import' },
        { customer: String(jia._id), author: uid('demo-rep1'), owner: uid('demo-rep1'), type: 'note', content: '导入备注：老板很难约', source: 'import' },
        { customer: String(jia._id), author: uid('demo-rep1'), owner: uid('demo-rep1'), type: 'call', content: '电话沟通报价', source: 'import' },
        {
          customer: String(zhangsan._id),
          author: String(zhangsan.ownerId),
          owner: String(zhangsan.ownerId),
          type: 'visit',
          content: '补录的拜访',
          source: 'import',
        },
      ].sort((a, b) => a.content.localeCompare(b.content)),
    );
    expect(followUps.find((f) => f.type === 'visit' && String(f.customerId) === String(jia._id))!.happenedAt.toISOString()).toBe('2025-01-05T02:00:00.000Z');
    // the customer's last follow-up moved (the note does not count)
    expect(jiaNow.lastFollowUpAt.toISOString()).toBe('2025-01-08T01:00:00.000Z');

    const deals = (await tagged('opportunities', id)).map((o) => ({
      name: o.name,
      customer: String(o.customerId),
      owner: String(o.ownerId),
      amountFen: o.amountFen,
      stage: o.stage,
      closed: o.closedAt !== null,
    }));
    expect(deals.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      [
        { name: '甲一期项目', customer: String(jia._id), owner: uid('demo-rep1'), amountFen: 1_200_000, stage: 'needs', closed: false },
        {
          name: '乙项目',
          customer: String(byCompany.get('实体乙贸易有限公司')!._id),
          owner: uid('demo-rep2'),
          amountFen: 3_000_000,
          stage: 'won',
          closed: true,
        },
        {
          name: '丙项目',
          customer: String(byCompany.get('实体丙有限公司')!._id),
          owner: uid('demo-manager'),
          amountFen: 1_200_000,
          stage: 'negotiation',
          closed: false,
        },
      ].sort((a, b) => a.name.localeCompare(b.name)),
    );
    // the rep sees them like any other (the import id is not in the DTO)
    const list = await t.http.get(`/api/v1/opportunities?customerId=${String(jia._id)}`).set(await as('demo-rep1'));
    expect(list.body.items.map((o: { name: string }) => o.name)).toEqual(['甲一期项目']);
    expect(list.body.items[0].importId).toBeUndefined();
    const note = (await t.conn.collection('audit_log').findOne({ action: 'import.finished', entityId: id }))?.note as string;
    expect(note).toContain('新增联系人 3');
    expect(note).toContain('跟进记录：新建 4，跳过 2，未识别 1');
    expect(note).toContain('商机：新建 3，跳过 0，未识别 1');
  });

  it('rollback removes the follow-ups, notes, opportunities and added contacts; a deal changed since is kept with its customer', async () => {
    const bing = (await tagged('customers', id)).find((c) => c.company === '实体丙有限公司')!;
    const deal = (await tagged('opportunities', id)).find((o) => o.name === '丙项目')!;
    const moved = await t.http
      .post(`/api/v1/opportunities/${String(deal._id)}/stage`)
      .set(await as('demo-manager'))
      .send({ stage: 'won' });
    expect(moved.status).toBe(200);
    expect((await t.http.post(`/api/v1/imports/${id}/rollback`).set(await as('demo-manager'))).status).toBe(202);
    await drain();
    const job = (await t.http.get(`/api/v1/imports/${id}`).set(await as('demo-manager'))).body;
    expect(job.status).toBe('rolled_back');
    expect(job.rollback).toMatchObject({ removed: 4, restored: 1 });
    expect((await tagged('customers', id)).map((c) => c.company)).toEqual(['实体丙有限公司']);
    expect(await t.conn.collection('follow_ups').countDocuments({ importId: oid(id) })).toBe(0);
    expect(await t.conn.collection('follow_ups').countDocuments({ content: { $in: ['初次拜访，了解需求', '导入备注：老板很难约', '补录的拜访'] } })).toBe(0);
    expect(
      (
        await t.conn
          .collection('opportunities')
          .find({ name: { $in: ['甲一期项目', '乙项目', '丙项目'] } })
          .toArray()
      ).map((o) => o.name),
    ).toEqual(['丙项目']);
    expect(
      await t.conn.collection('contacts').countDocuments({ mobiles: { $in: ['+8613911110001', '+8613911110002', '+8613911110011', '+8613911110008'] } }),
    ).toBe(0);
    expect(await t.conn.collection('contacts').countDocuments({ customerId: bing._id })).toBe(1);
    // the identities are free again
    expect(
      await t.conn.collection('customer_identity_claims').countDocuments({ _id: { $in: ['mobile:8613911110002', 'mobile:8613911110008'] } as never }),
    ).toBe(0);
  });
});

describe('update mode: another person of a company already in the database, once per person', () => {
  it.each([
    {
      what: 'skip mode: the new person is added (新增联系人), the same person is a duplicate',
      dedupe: 'skip',
      rows: [
        { 公司名称: '北京博远软件有限公司', 联系人: '新人甲', 手机: '13922220001' },
        { 公司名称: '北京博远软件有限公司', 联系人: '新人甲', 手机: '13922220001' },
        { 公司名称: '北京博远软件有限公司', 联系人: '新人乙', 手机: '13922220002', 跟进内容: '二号联系人的跟进' },
      ],
      counts: { create: 0, update: 0, contactsAdded: 2, skip: 1 },
      followUps: 1,
    },
    {
      what: 'update mode: the first row updates the customer (and adds its person), a later row of the company adds its person',
      dedupe: 'update',
      rows: [
        { 公司名称: '北京博远软件有限公司', 联系人: '新人丙', 手机: '13922220003', 商机名称: '博远二期', 金额: '5k' },
        { 公司名称: '北京博远软件有限公司', 联系人: '新人丁', 手机: '13922220004' },
      ],
      counts: { create: 0, update: 1, contactsAdded: 1, skip: 0 },
      followUps: 0,
    },
  ])('$what', async ({ dedupe, rows, counts, followUps }) => {
    const customer = (await t.conn.collection('customers').findOne({ company: '北京博远软件有限公司' }))!;
    const before = await t.conn.collection('contacts').countDocuments({ customerId: customer._id });
    const id = await upload('demo-manager', rows, `博远-${dedupe}.csv`);
    const dry = (await dryRun('demo-manager', id, { dedupe })).dryRun;
    expect(dry).toMatchObject(counts);
    await t.http
      .post(`/api/v1/imports/${id}/run`)
      .set(await as('demo-manager'))
      .send({ dedupe });
    await drain();
    const job = (await t.http.get(`/api/v1/imports/${id}`).set(await as('demo-manager'))).body;
    expect(job.run).toMatchObject(counts);
    const added = rows.filter((r, i) => rows.findIndex((x) => x.手机 === r.手机) === i).length;
    expect(await t.conn.collection('contacts').countDocuments({ customerId: customer._id })).toBe(before + added);
    expect(await t.conn.collection('follow_ups').countDocuments({ importId: oid(id), customerId: customer._id })).toBe(followUps);
    // rollback takes the added people out again
    await t.http.post(`/api/v1/imports/${id}/rollback`).set(await as('demo-manager'));
    await drain();
    expect(await t.conn.collection('contacts').countDocuments({ customerId: customer._id })).toBe(before);
    expect(await t.conn.collection('follow_ups').countDocuments({ importId: oid(id) })).toBe(0);
    expect(await t.conn.collection('opportunities').countDocuments({ importId: oid(id) })).toBe(0);
  });
});

describe("scope: another team's customer is never given a contact, a follow-up or a deal", () => {
  it.each(['skip', 'update', 'create'])('dedupe %s', async (dedupe) => {
    const other = (await t.conn.collection('customers').findOne({ company: '深圳远航物流有限公司', importId: { $exists: false } }))!;
    const before = { contacts: await t.conn.collection('contacts').countDocuments({ customerId: other._id }), updatedAt: other.updatedAt };
    const rows: Cells[] = [
      {
        公司名称: '深圳远航物流有限公司',
        联系人: `外人${dedupe}甲`,
        手机: `1393333000${['skip', 'update', 'create'].indexOf(dedupe)}`,
        跟进内容: '不该写入',
        商机名称: '不该写入',
        金额: '1万',
      },
      {
        公司名称: '深圳远航物流有限公司',
        联系人: `外人${dedupe}乙`,
        手机: `1394444000${['skip', 'update', 'create'].indexOf(dedupe)}`,
        跟进内容: '也不该写入',
      },
    ];
    const id = await upload('demo-manager', rows, `远航-${dedupe}.csv`);
    const dry = (await dryRun('demo-manager', id, { dedupe })).dryRun;
    // create anyway: one new customer of the importer's own (the forced duplicate), its second person its contact
    expect(dry).toMatchObject(dedupe === 'create' ? { create: 1, contactsAdded: 1, skip: 0 } : { create: 0, update: 0, contactsAdded: 0, skip: 2 });
    if (dedupe !== 'create') expect(dry.problems.map((p: { message: string }) => p.message)).toEqual(['其他团队已有（公司相同）', '其他团队已有（公司相同）']);
    await t.http
      .post(`/api/v1/imports/${id}/run`)
      .set(await as('demo-manager'))
      .send({ dedupe });
    await drain();
    const after = (await t.conn.collection('customers').findOne({ _id: other._id }))!;
    expect(after.updatedAt).toEqual(before.updatedAt);
    expect(await t.conn.collection('contacts').countDocuments({ customerId: other._id })).toBe(before.contacts);
    expect(await t.conn.collection('follow_ups').countDocuments({ customerId: other._id, importId: oid(id) })).toBe(0);
    expect(await t.conn.collection('opportunities').countDocuments({ customerId: other._id })).toBe(0);
  });
});

describe('a crash mid-run: follow-ups, opportunities and added contacts are not doubled', () => {
  it('a batch redone by another system after the lease runs out writes nothing twice', async () => {
    const rows: Cells[] = [{ 公司名称: '续传起始有限公司' }]; // the pairs straddle the batches (lines 11 and 12)
    for (let i = 0; i < 12; i++) {
      const company = `续传${String.fromCharCode(0x4e00 + i * 11)}${String.fromCharCode(0x4e80 + i)}有限公司`;
      rows.push({
        公司名称: company,
        联系人: `甲${i}`,
        手机: `1371111${String(i).padStart(4, '0')}`,
        跟进内容: `第一次跟进 ${i}`,
        商机名称: `项目${i}`,
        金额: `${i + 1}万`,
      });
      rows.push({ 公司名称: company, 联系人: `乙${i}`, 手机: `1372222${String(i).padStart(4, '0')}`, 跟进内容: `第二位联系人的跟进 ${i}`, 备注: `备注 ${i}` });
    }
    const id = await upload('demo-manager', rows, 'resume-entities.csv');
    const dry = (await dryRun('demo-manager', id)).dryRun;
    expect(dry).toMatchObject({ rows: 25, create: 13, contactsAdded: 12, skip: 0 });
    expect(dry.entities).toEqual({
      contacts: { create: 24, skip: 0, reject: 0 },
      followUps: { create: 36, skip: 0, reject: 0 },
      opportunities: { create: 12, skip: 0, reject: 0 },
    });
    await t.http
      .post(`/api/v1/imports/${id}/run`)
      .set(await as('demo-manager'))
      .send({});
    // worker A does one batch (10 rows), then writes a second and dies before its checkpoint
    expect(await t.services.imports.work('worker-A', { maxBatches: 1 })).toBe(true);
    const saved = await t.conn.collection('imports').findOne({ _id: oid(id) });
    expect(saved!.progress.done).toBe(10);
    expect(await t.services.imports.work('worker-A', { maxBatches: 1 })).toBe(true);
    await t.conn.collection('imports').updateOne({ _id: oid(id) }, { $set: { progress: saved!.progress, run: saved!.run } });
    expect(await t.conn.collection('follow_ups').countDocuments({ importId: oid(id) })).toBeGreaterThan(saved!.run.entities.followUps.create);
    await t.conn.collection('imports').updateOne({ _id: oid(id) }, { $set: { 'lease.until': new Date(Date.now() - 1000) } });
    const other = buildSystem(t.config, { connection: t.conn, databaseKind: TEST_DB_KIND, logger: silentLogger() });
    while (await other.services.imports.work('worker-B'));
    await other.stop();
    const job = (await t.http.get(`/api/v1/imports/${id}`).set(await as('demo-manager'))).body;
    expect(job.status).toBe('done');
    expect(job.run).toMatchObject({ rows: 25, create: 13, contactsAdded: 12, skip: 0, reject: 0 });
    expect(job.run.entities).toEqual(dry.entities);
    expect(await t.conn.collection('customers').countDocuments({ importId: oid(id) })).toBe(13);
    expect(await t.conn.collection('contacts').countDocuments({ importId: oid(id) })).toBe(24);
    expect(await t.conn.collection('follow_ups').countDocuments({ importId: oid(id) })).toBe(36);
    expect(await t.conn.collection('opportunities').countDocuments({ importId: oid(id) })).toBe(12);
    const perCustomer = await t.conn
      .collection('contacts')
      .aggregate([{ $match: { importId: oid(id) } }, { $group: { _id: '$customerId', n: { $sum: 1 } } }])
      .toArray();
    expect(perCustomer.map((g) => g.n)).toEqual(Array(12).fill(2));
  });
});
