import { startTestApp, type TestApp } from '../helpers/test-app';
import type { Contact } from '../../api/src/modules/contact/contact.model';
import type { Contract } from '../../api/src/modules/contract/contract.model';
import type { Customer } from '../../api/src/modules/customer/customer.model';
import type { IdentityClaim } from '../../api/src/modules/customer/identity-claims';
import type { FollowUp } from '../../api/src/modules/follow-up/follow-up.model';
import type { IdempotentRequest } from '../../api/src/modules/idempotency/idempotency.model';
import type { Opportunity } from '../../api/src/modules/opportunity/opportunity.model';

/**
 * The Idempotency-Key stored on the created record: whatever happened to the first attempt (its key
 * freed by a 5xx, left pending by a crash), a retry with the same key answers 201 with the same record
 * and never writes a second one, nor answers 409 DUPLICATE_SUSPECTED about the caller's own customer.
 */
let t: TestApp;
let customerId: string;
const as = async (login: string) => ({ Authorization: await t.login(login) });
let n = 0;
const fresh = () => `rec-key-${Date.now()}-${++n}`;

beforeAll(async () => {
  t = await startTestApp();
  const c = await t.http
    .post('/api/v1/customers')
    .set(await as('demo-rep1'))
    .send({ name: '钱七', company: '常州钱七精工有限公司', source: '官网', contacts: [{ name: '钱七', phones: ['13700007777'] }] });
  customerId = c.body.id;
});
afterAll(() => t.close());

const requests = {
  customer: (i: number) => ({
    path: '/api/v1/customers',
    body: { name: `重试${i}`, company: `扬州重试${i}号有限公司`, source: '官网', contacts: [{ name: `重试${i}`, phones: [`1370000${String(1000 + i)}`] }] },
    count: () => t.conn.model<Customer>('Customer').countDocuments({ name: `重试${i}` }),
  }),
  'follow-up': (i: number) => ({
    path: '/api/v1/follow-ups',
    body: { customerId, type: 'visit', content: `拜访：重试 ${i}`, nextStep: { text: '回访', dueAt: new Date(Date.now() + 86_400_000).toISOString() } },
    count: () => t.conn.model<FollowUp>('FollowUp').countDocuments({ content: `拜访：重试 ${i}` }),
  }),
  contact: (i: number) => ({
    path: `/api/v1/customers/${customerId}/contacts`,
    body: { name: `联系人${i}`, phones: [`1360000${String(1000 + i)}`] },
    count: () => t.conn.model<Contact>('Contact').countDocuments({ name: `联系人${i}` }),
  }),
  opportunity: (i: number) => ({
    path: '/api/v1/opportunities',
    body: { customerId, name: `商机重试${i}`, amountFen: 100_000 },
    count: () => t.conn.model<Opportunity>('Opportunity').countDocuments({ name: `商机重试${i}` }),
  }),
  contract: (i: number) => ({
    path: '/api/v1/contracts',
    body: { customerId, number: `HT-RETRY-${i}`, title: `合同重试${i}`, amountFen: 100_000 },
    count: () => t.conn.model<Contract>('Contract').countDocuments({ number: `HT-RETRY-${i}` }),
  }),
};
type Kind = keyof typeof requests;
const kinds = Object.keys(requests) as Kind[];

/** What the first attempt's key looks like after it: freed by a 5xx, pending after a crash (within or past its lease). */
const aftermaths = {
  'freed by a 5xx': (id: string) => t.conn.model<IdempotentRequest>('IdempotentRequest').deleteOne({ _id: id }),
  'left pending by a crash, lease running': (id: string) =>
    t.conn
      .model<IdempotentRequest>('IdempotentRequest')
      .updateOne({ _id: id }, { $set: { state: 'pending', status: null, body: null, leaseUntil: new Date(Date.now() + 60_000) } }),
  'left pending by a crash, lease over': (id: string) =>
    t.conn
      .model<IdempotentRequest>('IdempotentRequest')
      .updateOne({ _id: id }, { $set: { state: 'pending', status: null, body: null, leaseUntil: new Date(Date.now() - 1000) } }),
};

const cases = kinds.flatMap((kind, k) => Object.keys(aftermaths).map((after, a) => [kind, after, k * 10 + a] as [Kind, keyof typeof aftermaths, number]));

describe('a retry finds the record its first attempt created', () => {
  it.each(cases)('%s, key %s: 201 with the same id, one record', async (kind, after, i) => {
    const r = requests[kind](i);
    const key = fresh();
    const h = { ...(await as('demo-rep1')), 'Idempotency-Key': key };
    const first = await t.http.post(r.path).set(h).send(r.body);
    expect(first.status).toBe(201);
    await aftermaths[after](`${String(t.seeded.org.users.get('demo-rep1'))}:${key}`);
    const retry = await t.http.post(r.path).set(h).send(r.body);
    expect({ status: retry.status, id: retry.body.id }).toEqual({ status: 201, id: first.body.id });
    expect(await r.count()).toBe(1);
    expect(retry.body.idempotencyKey).toBeUndefined();
  });

  it.each([90, 92, 93])('taps at once with the same key (double tap, outbox and retry racing) make one customer, every answer 201 with it (#%i)', async (i) => {
    const r = requests.customer(i);
    const h = { ...(await as('demo-rep1')), 'Idempotency-Key': fresh() };
    const answers = await Promise.all(Array.from({ length: 5 }, () => t.http.post(r.path).set(h).send(r.body)));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(answers.map((a) => a.body.id as string)).size).toBe(1);
    expect(await r.count()).toBe(1);
  });

  it('a retry after a crash between the claims and the insert takes its own claims over at once (no 409 about itself)', async () => {
    const r = requests.customer(91);
    const key = fresh();
    const h = { ...(await as('demo-rep1')), 'Idempotency-Key': key };
    const first = await t.http.post(r.path).set(h).send(r.body);
    // make it look as if the first attempt died after claiming: its customer never written, its key freed
    await t.conn.model<Customer>('Customer').deleteOne({ _id: first.body.id });
    await t.conn.model<Contact>('Contact').deleteMany({ customerId: first.body.id });
    await t.conn.model<IdempotentRequest>('IdempotentRequest').deleteOne({ _id: `${String(t.seeded.org.users.get('demo-rep1'))}:${key}` });
    const retry = await t.http.post(r.path).set(h).send(r.body);
    expect(retry.status).toBe(201);
    expect(await r.count()).toBe(1);
    const claims = await t.conn.model<IdentityClaim>('CustomerIdentityClaim').find({ name: '重试91' }).lean();
    expect(claims.map((c) => String(c.customerId))).toEqual(claims.map(() => retry.body.id));
  });

  it('another user with the same key still gets their own record (keys are per user)', async () => {
    const key = fresh();
    const body = { customerId, type: 'call', content: '电话：同一个键两个人' };
    const mine = await t.http
      .post('/api/v1/follow-ups')
      .set({ ...(await as('demo-rep1')), 'Idempotency-Key': key })
      .send(body);
    const theirs = await t.http
      .post('/api/v1/follow-ups')
      .set({ ...(await as('demo-manager')), 'Idempotency-Key': key })
      .send(body);
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it('a key still pending on a create that does not store keys keeps answering 409 IDEMPOTENCY_IN_PROGRESS', async () => {
    const key = fresh();
    const id = `${String(t.seeded.org.users.get('demo-rep1'))}:${key}`;
    const h = { ...(await as('demo-rep1')), 'Idempotency-Key': key };
    const path = `/api/v1/customers/${customerId}/share`;
    const first = await t.http.post(path).set(h).send({ partnerIds: [] });
    expect(first.status).toBe(200);
    await aftermaths['left pending by a crash, lease running'](id);
    const again = await t.http.post(path).set(h).send({ partnerIds: [] });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('IDEMPOTENCY_IN_PROGRESS');
  });
});
