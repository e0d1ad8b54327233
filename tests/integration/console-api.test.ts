import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * The API the workbench adds: saved views (per user, only filters), bulk transfer / release of customers (each one
 * through the caller's data scope, audited one by one), and the read-only settings (admins only).
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { crm: true });
});
afterAll(() => t.close());

const as = async (login: string) => ({ authorization: await t.login(login) });
async function idOf(login: string): Promise<string> {
  return (await t.http.get('/api/v1/me').set(await as(login))).body.user.id as string;
}
/** Customers `login` owns, as the admin sees them. */
async function ownedBy(login: string): Promise<string[]> {
  const res = await t.http
    .get('/api/v1/customers')
    .query({ owner: await idOf(login), limit: 100 })
    .set(await as('demo-admin'));
  expect(res.status).toBe(200);
  return (res.body.items as Array<{ id: string }>).map((c) => c.id);
}

describe('saved views', () => {
  it('a user saves, lists and deletes their own views; the same name replaces the filters; audited', async () => {
    const rep1 = await as('demo-rep1');
    const first = await t.http
      .post('/api/v1/saved-views')
      .set(rep1)
      .set('X-Client', 'web')
      .send({ page: 'customers', name: '我的 A 级', filters: { owner: 'me', tier: 'A' } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ page: 'customers', name: '我的 A 级', filters: { owner: 'me', tier: 'A' } });
    const again = await t.http
      .post('/api/v1/saved-views')
      .set(rep1)
      .send({ name: '我的 A 级', filters: { owner: 'me', tier: 'B' } });
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.filters).toEqual({ owner: 'me', tier: 'B' });
    await t.http
      .post('/api/v1/saved-views')
      .set(rep1)
      .send({ name: '公海展会', filters: { status: 'pool', source: '展会' } });

    const list = await t.http.get('/api/v1/saved-views').set(rep1);
    expect((list.body.items as Array<{ name: string }>).map((v) => v.name).sort()).toEqual(['公海展会', '我的 A 级']);

    const entries = await t.conn.collection('audit_log').find({ entityType: 'saved-view' }).sort({ at: 1 }).toArray();
    expect(entries.map((e) => e.action)).toEqual(['saved-view.create', 'saved-view.update', 'saved-view.create']);
    expect(entries[0]).toMatchObject({ channel: 'web', actorName: '刘洋' }); // the workbench sends X-Client: web

    expect((await t.http.delete(`/api/v1/saved-views/${first.body.id as string}`).set(rep1)).status).toBe(200);
    expect((await t.http.get('/api/v1/saved-views').set(rep1)).body.items).toHaveLength(1);
  });

  it.each([
    ['a new name (insert)', '新视图'],
    ['the same name again (update)', '新视图'],
  ])('saving %s writes no mongoose deprecation warning', async (_case, name) => {
    const emitWarning = jest.spyOn(process, 'emitWarning');
    try {
      const res = await t.http
        .post('/api/v1/saved-views')
        .set(await as('demo-manager'))
        .send({ name, filters: { tier: 'A' } });
      expect(res.status).toBe(200);
      expect(emitWarning.mock.calls.map(([w]) => String(w)).filter((w) => w.startsWith('mongoose:'))).toEqual([]);
    } finally {
      emitWarning.mockRestore();
    }
  });

  it("another user neither sees nor deletes someone's views (404 like a missing one)", async () => {
    const rep1 = await as('demo-rep1');
    const mine = await t.http
      .post('/api/v1/saved-views')
      .set(rep1)
      .send({ name: '刘洋的视图', filters: { tier: 'C' } });
    const rep2 = await as('demo-rep2');
    expect((await t.http.get('/api/v1/saved-views').set(rep2)).body.items).toEqual([]);
    expect((await t.http.delete(`/api/v1/saved-views/${mine.body.id as string}`).set(rep2)).status).toBe(404);
    expect((await t.http.delete(`/api/v1/saved-views/${mine.body.id as string}`).set(await as('demo-admin'))).status).toBe(404);
    expect((await t.http.get('/api/v1/saved-views').set(rep1)).body.items.map((v: { name: string }) => v.name)).toContain('刘洋的视图');
  });

  it.each([
    ['an unknown filter', { name: 'x', filters: { ownerId: 'abc' } }],
    ['a bad tier', { name: 'x', filters: { tier: 'Z' } }],
    ['an operator', { name: 'x', filters: { q: 'a', $where: '1' } }],
    ['an empty name', { name: ' ', filters: {} }],
  ])('refuses %s (400)', async (_what, body) => {
    expect(
      (
        await t.http
          .post('/api/v1/saved-views')
          .set(await as('demo-rep1'))
          .send(body)
      ).status,
    ).toBe(400);
  });
});

describe('bulk transfer / release (scope per customer)', () => {
  it('a rep releases their own customers; one of another team answers NOT_FOUND and stays where it was', async () => {
    const [own] = await ownedBy('demo-rep1');
    const [other] = await ownedBy('demo-rep3');
    const res = await t.http
      .post('/api/v1/customers/bulk/release')
      .set(await as('demo-rep1'))
      .send({ ids: [own, other], reason: '批量测试' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ done: 1, failed: 1 });
    expect(res.body.results).toEqual([
      { id: own, ok: true },
      { id: other, ok: false, error: { code: 'NOT_FOUND', message: expect.any(String) } },
    ]);
    const admin = await as('demo-admin');
    expect((await t.http.get(`/api/v1/customers/${own}`).set(admin)).body.customer.status).toBe('pool');
    expect((await t.http.get(`/api/v1/customers/${other}`).set(admin)).body.customer.ownerName).toBe('黄磊');
    expect(await t.conn.collection('audit_log').countDocuments({ action: 'customer.release', entityId: own })).toBe(1);
    expect(await t.conn.collection('audit_log').countDocuments({ action: 'customer.release', entityId: other })).toBe(0);
  });

  it("a manager transfers within their team; the other team's customer is refused; a repeat changes nothing", async () => {
    const east = await ownedBy('demo-rep2');
    const [south] = await ownedBy('demo-rep3');
    const target = await idOf('demo-rep1');
    const ids = [...east.slice(0, 2), south!];
    const manager = await as('demo-manager');
    const res = await t.http.post('/api/v1/customers/bulk/transfer').set(manager).send({ ids, ownerId: target, reason: '区域调整' });
    expect(res.status).toBe(200);
    expect(res.body.done).toBe(ids.length - 1);
    expect(res.body.results.at(-1)).toMatchObject({ id: south, ok: false, error: { code: 'NOT_FOUND' } });
    for (const id of east.slice(0, 2)) expect(await t.conn.collection('audit_log').countDocuments({ action: 'customer.transfer', entityId: id })).toBe(1);

    const repeat = await t.http.post('/api/v1/customers/bulk/transfer').set(manager).send({ ids, ownerId: target });
    expect(repeat.body.done).toBe(ids.length - 1);
    for (const id of east.slice(0, 2)) expect(await t.conn.collection('audit_log').countDocuments({ action: 'customer.transfer', entityId: id })).toBe(1);
  });

  it('a rep may not transfer at all (403); bad requests are 400', async () => {
    const [own] = await ownedBy('demo-rep2');
    const rep = await as('demo-rep2');
    expect(
      (
        await t.http
          .post('/api/v1/customers/bulk/transfer')
          .set(rep)
          .send({ ids: [own], ownerId: await idOf('demo-rep1') })
      ).status,
    ).toBe(403);
    expect((await t.http.post('/api/v1/customers/bulk/release').set(rep).send({ ids: [] })).status).toBe(400);
    expect(
      (
        await t.http
          .post('/api/v1/customers/bulk/release')
          .set(rep)
          .send({ ids: [own, own] })
      ).status,
    ).toBe(400);
    expect(
      (
        await t.http
          .post('/api/v1/customers/bulk/release')
          .set(rep)
          .send({ ids: Array.from({ length: 201 }, () => own) })
      ).status,
    ).toBe(400);
  });
});

describe('settings (read-only)', () => {
  it('admins read stages with their time limits, approval rules, the reminder policy and where each is changed; no secrets', async () => {
    const res = await t.http.get('/api/v1/settings').set(await as('demo-admin'));
    expect(res.status).toBe(200);
    expect(res.body.stages.length).toBeGreaterThan(3);
    expect(res.body.stages.some((s: { slaDays: number | null }) => typeof s.slaDays === 'number')).toBe(true);
    expect(res.body.approvals.rules.length).toBeGreaterThan(0);
    expect(res.body.reminders.coldDaysByTier).toBeDefined();
    expect(res.body.where.map((w: { topic: string }) => w.topic).join()).toContain('审批规则');
    const text = JSON.stringify(res.body);
    for (const secret of [t.config.auth.jwtSecret]) expect(text).not.toContain(secret);
  });

  it.each(['demo-manager', 'demo-rep1'])('%s is refused (403)', async (login) => {
    expect((await t.http.get('/api/v1/settings').set(await as(login))).status).toBe(403);
  });
});
