import { startTestApp, type TestApp } from '../helpers/test-app';
import type { FollowUp } from '../../api/src/modules/follow-up/follow-up.model';

let t: TestApp;
let customerId: string;
const as = async (login: string) => ({ Authorization: await t.login(login) });
const visit = (content: string) => ({ customerId, type: 'visit', content, happenedAt: new Date(Date.now() - 60_000).toISOString() });
const countFollowUps = (content: string) => t.conn.model<FollowUp>('FollowUp').countDocuments({ content });

beforeAll(async () => {
  t = await startTestApp();
  const c = await t.http
    .post('/api/v1/customers')
    .set(await as('demo-rep1'))
    .send({ name: '周六', company: '南京六合机械有限公司', source: '官网', contacts: [{ name: '周六', phones: ['13700006666'] }] });
  customerId = c.body.id;
});
afterAll(() => t.close());

describe('Idempotency-Key on POST', () => {
  it('a repeat with the same key replays the first answer and creates nothing more', async () => {
    const h = { ...(await as('demo-rep1')), 'Idempotency-Key': 'visit-0001-abcdef' };
    const body = visit('拜访：演示新版本');
    const first = await t.http.post('/api/v1/follow-ups').set(h).send(body);
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await t.http.post('/api/v1/follow-ups').set(h).send(body);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(await countFollowUps('拜访：演示新版本')).toBe(1);
  });

  it('ten concurrent repeats (an outbox and a retry racing) create one record', async () => {
    const h = { ...(await as('demo-rep1')), 'Idempotency-Key': 'visit-race-000001' };
    const body = visit('拜访：并发重试');
    const answers = await Promise.all(Array.from({ length: 10 }, () => t.http.post('/api/v1/follow-ups').set(h).send(body)));
    const statuses = answers.map((a) => a.status);
    // the winner 201; the others either replay it (201) or were told to try again (409 IDEMPOTENCY_IN_PROGRESS)
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.error.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    expect(new Set(answers.filter((a) => a.status === 201).map((a) => a.body.id)).size).toBe(1);
    expect(await countFollowUps('拜访：并发重试')).toBe(1);
  });

  it('the same key with a different body is refused (422) and changes nothing', async () => {
    const h = { ...(await as('demo-rep1')), 'Idempotency-Key': 'visit-reuse-00001' };
    expect((await t.http.post('/api/v1/follow-ups').set(h).send(visit('拜访：第一次'))).status).toBe(201);
    const reused = await t.http.post('/api/v1/follow-ups').set(h).send(visit('拜访：换了内容'));
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await countFollowUps('拜访：换了内容')).toBe(0);
  });

  it('keys belong to one user: another user with the same key gets their own record', async () => {
    const key = 'shared-key-000001';
    const mine = await t.http
      .post('/api/v1/follow-ups')
      .set({ ...(await as('demo-rep1')), 'Idempotency-Key': key })
      .send(visit('拜访：同一个键'));
    const manager = await t.http
      .post('/api/v1/follow-ups')
      .set({ ...(await as('demo-manager')), 'Idempotency-Key': key })
      .send(visit('拜访：同一个键'));
    expect(mine.status).toBe(201);
    expect(manager.status).toBe(201);
    expect(manager.body.id).not.toBe(mine.body.id);
  });

  it('a refused request keeps nothing: fixed and sent again with the same key, it runs', async () => {
    const h = { ...(await as('demo-rep1')), 'Idempotency-Key': 'visit-fix-000001' };
    const bad = await t.http
      .post('/api/v1/follow-ups')
      .set(h)
      .send({ ...visit('拜访：先错后对'), type: 'telepathy' });
    expect(bad.status).toBe(400);
    const fixed = await t.http.post('/api/v1/follow-ups').set(h).send(visit('拜访：先错后对'));
    expect(fixed.status).toBe(201);
    expect(fixed.headers['idempotent-replayed']).toBeUndefined();
    expect(await countFollowUps('拜访：先错后对')).toBe(1);
  });

  it.each([
    ['too short', 'abc'],
    ['spaces', 'has spaces in it'],
    ['too long', 'k'.repeat(129)],
  ])('an invalid key (%s) is a clear 400', async (_name, key) => {
    const res = await t.http
      .post('/api/v1/follow-ups')
      .set({ ...(await as('demo-rep1')), 'Idempotency-Key': key })
      .send(visit('拜访：坏键'));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_INVALID');
    expect(await countFollowUps('拜访：坏键')).toBe(0);
  });

  it('without the header, two identical posts are two records (nothing changes for other clients)', async () => {
    const h = await as('demo-rep1');
    const body = visit('拜访：无键');
    await t.http.post('/api/v1/follow-ups').set(h).send(body);
    await t.http.post('/api/v1/follow-ups').set(h).send(body);
    expect(await countFollowUps('拜访：无键')).toBe(2);
  });
});
