import { Types } from 'mongoose';
import { startTestApp, type TestApp } from '../helpers/test-app';
import type { Contact } from '../../api/src/modules/contact/contact.model';
import type { Customer } from '../../api/src/modules/customer/customer.model';
import type { FollowUp } from '../../api/src/modules/follow-up/follow-up.model';
import type { Reminder } from '../../api/src/modules/reminder/reminder.model';

/**
 * Half-written records: a follow-up is stored with the side effects it still owes (customer times,
 * audit entry, reminder); a process killed before they are all written leaves that list, and the
 * recovery pass finishes it, idempotently (a rerun never doubles the audit entry or revives a sent reminder).
 */
let t: TestApp;
let customer: { _id: Types.ObjectId; ownerId: Types.ObjectId; departmentId: Types.ObjectId | null };
let rep1: Types.ObjectId;
const as = async (login: string) => ({ Authorization: await t.login(login) });
const SEC = 1000;

beforeAll(async () => {
  t = await startTestApp();
  rep1 = t.seeded.org.users.get('demo-rep1')!;
  const c = await t.http
    .post('/api/v1/customers')
    .set(await as('demo-rep1'))
    .send({ name: '孙八', company: '绍兴孙八纺织有限公司', source: '官网', contacts: [{ name: '孙八', phones: ['13700008888'] }] });
  const found = (await t.conn.model<Customer>('Customer').findById(c.body.id).lean())!;
  customer = { _id: found._id, ownerId: found.ownerId!, departmentId: found.departmentId };
});
afterAll(() => t.close());

const due = new Date(Date.now() + 2 * 86_400_000);
/** The follow-up exactly as `create` inserts it, left by a process killed right after the insert (some effects maybe already written). */
async function leftByCrash(content: string, pendingForMs: number, opts: { nextStep?: boolean; effects?: string[]; key?: string } = {}) {
  const now = new Date();
  const [doc] = await t.conn.model<FollowUp>('FollowUp').insertMany([
    {
      customerId: customer._id,
      contactId: null,
      authorId: rep1,
      type: 'visit',
      content,
      happenedAt: new Date(now.getTime() - 60 * SEC),
      location: null,
      nextStep: opts.nextStep === false ? null : { text: '送样品', dueAt: due },
      source: 'api',
      ownerId: customer.ownerId,
      departmentId: customer.departmentId,
      sharedWith: [],
      pendingEffects: opts.effects ?? ['customer-times', 'audit', ...(opts.nextStep === false ? [] : ['reminder'])],
      pendingSince: new Date(now.getTime() - pendingForMs),
      effectsMeta: { requestId: 'req-crashed', channel: 'miniapp', actorId: rep1 },
      ...(opts.key ? { idempotencyKey: opts.key } : {}),
    },
  ]);
  return doc!;
}

const auditsOf = (id: Types.ObjectId) => t.services.audit.list({ entityType: 'follow-up', entityId: String(id), limit: 10 }).then((p) => p.items);
const remindersOf = (id: Types.ObjectId) =>
  t.conn
    .model<Reminder>('Reminder')
    .find({ dedupeKey: `next-step:${String(id)}` })
    .lean();

describe('FollowUpService.recoverPending', () => {
  it('finishes a follow-up left with all its effects pending: customer times, one audit entry, one reminder', async () => {
    const doc = await leftByCrash('拜访：进程在写提醒前被杀', 30 * SEC);
    const first = await t.services.followUps.recoverPending(new Date());
    expect(first.finished).toBeGreaterThanOrEqual(1);
    const again = await t.services.followUps.recoverPending(new Date());
    expect(again.finished).toBe(0);

    const audits = await auditsOf(doc._id);
    expect(audits).toEqual([expect.objectContaining({ action: 'follow-up.create', requestId: 'req-crashed', channel: 'miniapp' })]);
    const reminders = await remindersOf(doc._id);
    expect(reminders).toEqual([expect.objectContaining({ status: 'scheduled', dueAt: due, userId: rep1 })]);
    const c = await t.conn.model<Customer>('Customer').findById(customer._id).lean();
    expect(c?.nextFollowUpAt).toEqual(due);
    expect(c!.lastFollowUpAt!.getTime()).toBeGreaterThanOrEqual(doc.happenedAt.getTime());
    const stored = await t.conn.model<FollowUp>('FollowUp').findById(doc._id).lean();
    expect(stored?.pendingEffects).toBeUndefined();
  });

  it.each([
    ['the audit entry was written before the crash', ['audit'], 'scheduled'],
    ['the reminder was written (and since sent) before the crash', ['reminder'], 'sent'],
  ])('never doubles an effect: %s', async (_label, alreadyDone, reminderStatus) => {
    const doc = await leftByCrash(`拜访：${alreadyDone[0]} 已写`, 30 * SEC);
    if (alreadyDone.includes('audit')) {
      await t.services.audit.record(
        { requestId: 'req-crashed', channel: 'miniapp', actorId: rep1 },
        { id: doc._id, action: 'follow-up.create', entityType: 'follow-up', entityId: doc._id },
      );
    }
    if (alreadyDone.includes('reminder')) {
      await t.services.reminders.nextStepChanged((await t.conn.model<FollowUp>('FollowUp').findById(doc._id))!);
      await t.conn.model<Reminder>('Reminder').updateOne({ dedupeKey: `next-step:${String(doc._id)}` }, { $set: { status: 'sent' } });
    }
    await t.services.followUps.recoverPending(new Date());
    await t.services.followUps.recoverPending(new Date());
    expect(await auditsOf(doc._id)).toHaveLength(1);
    const reminders = await remindersOf(doc._id);
    expect(reminders.map((r) => r.status)).toEqual([reminderStatus]);
  });

  it('leaves alone a follow-up whose request may still be running (pending for a moment only)', async () => {
    const doc = await leftByCrash('拜访：请求还在进行', 1 * SEC);
    await t.services.followUps.recoverPending(new Date());
    expect((await t.conn.model<FollowUp>('FollowUp').findById(doc._id).lean())?.pendingEffects).toEqual(['customer-times', 'audit', 'reminder']);
    expect(await auditsOf(doc._id)).toHaveLength(0);
    // a few seconds later it is finished
    await t.services.followUps.recoverPending(new Date(Date.now() + 10 * SEC));
    expect(await auditsOf(doc._id)).toHaveLength(1);
  });

  it('a retry of the request with its key finishes the effects at once and answers 201 with the same follow-up', async () => {
    const key = 'recovery-key-0001';
    const doc = await leftByCrash('拜访：重试时补写', 0, { key: `${String(rep1)}:${key}` });
    const res = await t.http
      .post('/api/v1/follow-ups')
      .set({ ...(await as('demo-rep1')), 'Idempotency-Key': key })
      .send({ customerId: String(customer._id), type: 'visit', content: '拜访：重试时补写' });
    expect({ status: res.status, id: res.body.id }).toEqual({ status: 201, id: String(doc._id) });
    expect(res.body.pendingEffects).toBeUndefined();
    expect(await auditsOf(doc._id)).toHaveLength(1);
    expect(await remindersOf(doc._id)).toHaveLength(1);
  });

  it('a follow-up acknowledged by the API has nothing pending', async () => {
    const res = await t.http
      .post('/api/v1/follow-ups')
      .set(await as('demo-rep1'))
      .send({ customerId: String(customer._id), type: 'call', content: '电话：正常写完', nextStep: { text: '报价', dueAt: due.toISOString() } });
    expect(res.status).toBe(201);
    const id = new Types.ObjectId(res.body.id as string);
    expect((await t.conn.model<FollowUp>('FollowUp').findById(id).lean())?.pendingEffects).toBeUndefined();
    expect(await auditsOf(id)).toHaveLength(1);
    expect(await remindersOf(id)).toHaveLength(1);
  });
});

describe('CustomerService.recoverPending', () => {
  it('writes the contacts and the audit entry of a customer left half-created, once', async () => {
    const id = new Types.ObjectId();
    const contactId = new Types.ObjectId();
    await t.conn.model<Customer>('Customer').insertMany([
      {
        _id: id,
        name: '半截',
        company: '台州半截有限公司',
        source: '官网',
        ownerId: rep1,
        departmentId: null,
        status: 'owned',
        sharedWith: [],
        pendingCreate: {
          since: new Date(Date.now() - 30 * SEC),
          contacts: [
            {
              _id: contactId,
              name: '半截',
              mobiles: ['+8613700009999'],
              phones: [],
              emails: [],
              primary: true,
              customerId: id,
              ownerId: rep1,
              departmentId: null,
              sharedWith: [],
            },
          ],
          audit: { action: 'customer.create', requestId: 'req-half', channel: 'api', actorId: rep1 },
        },
      },
    ]);
    await t.services.customers.recoverPending(new Date());
    await t.services.customers.recoverPending(new Date());
    expect(await t.conn.model<Contact>('Contact').find({ customerId: id }).lean()).toEqual([expect.objectContaining({ _id: contactId, name: '半截' })]);
    const audits = await t.services.audit.list({ entityType: 'customer', entityId: String(id), limit: 10 });
    expect(audits.items).toEqual([expect.objectContaining({ action: 'customer.create', requestId: 'req-half' })]);
    expect((await t.conn.model<Customer>('Customer').findById(id).lean())?.pendingCreate).toBeUndefined();
  });
});
