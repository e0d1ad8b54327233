import { startTestApp, type TestApp } from '../helpers/test-app';
import type { Customer } from '../../api/src/modules/customer/customer.model';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const uid = (login: string) => String(t.seeded.org.users.get(login));
const as = async (login: string) => ({ Authorization: await t.login(login) });

async function create(login: string, body: Record<string, unknown>) {
  return t.http
    .post('/api/v1/customers')
    .set(await as(login))
    .send({ source: '展会', ...body });
}

async function search(login: string, q: string): Promise<string[]> {
  const res = await t.http.get(`/api/v1/customers?q=${encodeURIComponent(q)}&limit=100`).set(await as(login));
  expect(res.status).toBe(200);
  return (res.body.items as Array<{ name: string }>).map((c) => c.name);
}

describe('create, search and scope', () => {
  let zhangId: string;
  beforeAll(async () => {
    const res = await create('demo-rep1', {
      name: '张三',
      company: '上海星辰信息科技有限公司',
      tier: 'A',
      contacts: [{ name: '张三', title: '采购经理', phones: ['+86 139-1234-5678', '021-6123 4567'], emails: ['Zhang.San@XingChen.com'] }],
    });
    expect(res.status).toBe(201);
    zhangId = res.body.id;
    expect(res.body).toMatchObject({
      name: '张三',
      ownerId: uid('demo-rep1'),
      status: 'owned',
      tier: 'A',
      companyNormalized: '星辰信息科技',
      companyKey: '星辰',
    });
    expect(res.body.searchKeys).toBeUndefined();
    expect(new Date(res.body.protectionEndsAt).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  });

  it.each([
    ['zs', true],
    ['zhangsan', true],
    ['张', true],
    ['星辰', true],
    ['xcxxkj', true],
    ['13912345678', true],
    ['5678', true],
    ['61234567', true],
    ['zhang.san@xingchen.com', true],
    ['lisi', false],
    ['.*', false],
    ['(', false],
  ])('rep1 searching %j finds 张三: %s', async (q, found) => {
    expect((await search('demo-rep1', q)).includes('张三')).toBe(found);
  });

  it.each([
    ['demo-rep1', true],
    ['demo-rep2', false],
    ['demo-rep3', false],
    ['demo-manager', true],
    ['demo-director', true],
    ['demo-admin', true],
    ['demo-finance', true],
    ['demo-partner', false],
  ])('%s sees the customer in search: %s', async (login, visible) => {
    expect((await search(login, 'zs')).includes('张三')).toBe(visible);
  });

  it.each([
    ['demo-rep1', 200],
    ['demo-rep2', 404],
    ['demo-rep3', 404],
    ['demo-manager', 200],
    ['demo-partner', 404],
  ])('%s GET /customers/:id → %i', async (login, status) => {
    const res = await t.http.get(`/api/v1/customers/${zhangId}`).set(await as(login));
    expect(res.status).toBe(status);
  });

  it('the 360 view carries contacts, follow-ups, open deals and contracts', async () => {
    const h = await as('demo-rep1');
    await t.http
      .post('/api/v1/follow-ups')
      .set(h)
      .send({ customerId: zhangId, type: 'call', content: '电话沟通报价', nextStep: { text: '发送方案', dueAt: '2030-01-02T06:00:00Z' } });
    await t.http.post('/api/v1/opportunities').set(h).send({ customerId: zhangId, name: '年度采购', amountFen: 60_000_000 });
    await t.http.post('/api/v1/contracts').set(h).send({ customerId: zhangId, number: 'HT-360-1', title: '采购合同', amountFen: 60_000_000 });
    const res = await t.http.get(`/api/v1/customers/${zhangId}`).set(h);
    expect(res.status).toBe(200);
    expect(res.body.customer).toMatchObject({ name: '张三', ownerName: '刘洋' });
    expect(res.body.contacts).toEqual([
      expect.objectContaining({ name: '张三', mobiles: ['+8613912345678'], phones: ['021-61234567'], emails: ['zhang.san@xingchen.com'], primary: true }),
    ]);
    expect(res.body.recentFollowUps[0]).toMatchObject({ type: 'call', content: '电话沟通报价', authorId: uid('demo-rep1') });
    expect(res.body.openOpportunities[0]).toMatchObject({ name: '年度采购', stage: 'initial', stageName: '初步接洽', amountFen: 60_000_000 });
    expect(res.body.contracts[0]).toMatchObject({ number: 'HT-360-1', status: 'draft' });
    expect(res.body.nextReminderAt).toBe('2030-01-02T06:00:00.000Z');
  });

  describe('duplicate check (查重)', () => {
    it('another team creating the same company gets 409 with a candidate it cannot open', async () => {
      const res = await create('demo-rep3', { name: '王五', company: '星辰信息科技(上海)有限公司' });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('DUPLICATE_SUSPECTED');
      expect(res.body.error.details.candidates).toEqual([{ visible: false, ownedBy: '其他团队', reasons: ['company'] }]);
      expect(JSON.stringify(res.body)).not.toContain(zhangId);
    });

    it('the owner sees the candidate in full', async () => {
      const res = await create('demo-rep1', { name: '赵六', company: '星辰科技' });
      expect(res.status).toBe(409);
      expect(res.body.error.details.candidates).toEqual([
        { visible: true, id: zhangId, name: '张三', company: '上海星辰信息科技有限公司', status: 'owned', ownerName: '刘洋', reasons: ['company'] },
      ]);
    });

    it.each([
      ['the same mobile written differently', { name: '李雷', company: '北京无关公司', contacts: [{ name: '李雷', phones: ['13912345678'] }] }, ['mobile']],
      [
        'the same email in other case',
        { name: '韩梅梅', company: '广州另一家公司', contacts: [{ name: '韩梅梅', emails: ['ZHANG.SAN@xingchen.COM'] }] },
        ['email'],
      ],
      ['the same person with a similar company', { name: '张三', company: '星晨信息科技' }, ['name_and_company']],
    ])('%s is a likely duplicate', async (_name, body, reasons) => {
      const res = await create('demo-rep2', body);
      expect(res.status).toBe(409);
      expect(res.body.error.details.candidates[0].reasons).toEqual(reasons);
    });

    it('the same common name at an unrelated company is not', async () => {
      const res = await create('demo-rep2', { name: '张三', company: '成都天府茶业有限公司' });
      expect(res.status).toBe(201);
    });

    it('POST /customers/duplicate-check answers without creating', async () => {
      const before = await t.conn.model<Customer>('Customer').countDocuments();
      const res = await t.http
        .post('/api/v1/customers/duplicate-check')
        .set(await as('demo-rep3'))
        .send({ name: 'x', company: '上海星辰科技', source: '官网' });
      expect(res.status).toBe(200);
      expect(res.body.duplicate).toBe(true);
      expect(await t.conn.model<Customer>('Customer').countDocuments()).toBe(before);
    });

    it('force needs a reason, and a forced create is audited with the candidates', async () => {
      const noReason = await create('demo-rep3', { name: '王五', company: '星辰信息科技(上海)有限公司', force: true });
      expect(noReason.status).toBe(400);
      const forced = await create('demo-rep3', { name: '王五', company: '星辰信息科技(上海)有限公司', force: true, reason: '华南分公司，独立采购' });
      expect(forced.status).toBe(201);
      const audit = await t.services.audit.list({ entityType: 'customer', entityId: forced.body.id, limit: 5 });
      expect(audit.items[0]).toMatchObject({ action: 'customer.create.forced', actorId: t.seeded.org.users.get('demo-rep3') });
      expect(audit.items[0]!.note).toContain('华南分公司，独立采购');
    });
  });
});

describe('ownership: transfer, release, claim, share', () => {
  let id: string;
  beforeEach(async () => {
    const res = await create('demo-rep1', {
      name: `客户${Math.random().toString(36).slice(2, 8)}`,
      company: `独立测试${Math.random().toString(36).slice(2, 8)}有限公司`,
    });
    expect(res.status).toBe(201);
    id = res.body.id;
    await t.http
      .post('/api/v1/follow-ups')
      .set(await as('demo-rep1'))
      .send({ customerId: id, type: 'visit', content: '上门拜访' });
  });

  it('a rep cannot transfer; the manager can, and the records move with the customer', async () => {
    const denied = await t.http
      .post(`/api/v1/customers/${id}/transfer`)
      .set(await as('demo-rep1'))
      .send({ ownerId: uid('demo-rep2') });
    expect(denied.status).toBe(403);
    const ok = await t.http
      .post(`/api/v1/customers/${id}/transfer`)
      .set(await as('demo-manager'))
      .send({ ownerId: uid('demo-rep2'), reason: '区域调整' });
    expect(ok.status).toBe(200);
    expect(ok.body.ownerId).toBe(uid('demo-rep2'));
    expect((await t.http.get(`/api/v1/customers/${id}`).set(await as('demo-rep1'))).status).toBe(404);
    const fu = await t.http.get(`/api/v1/follow-ups?customerId=${id}`).set(await as('demo-rep2'));
    expect(fu.body.items).toHaveLength(1);
    const old = await t.http.get(`/api/v1/follow-ups?customerId=${id}`).set(await as('demo-rep1'));
    expect(old.body.items).toHaveLength(0);
  });

  it('refuses to transfer to a partner or a resigned user', async () => {
    const res = await t.http
      .post(`/api/v1/customers/${id}/transfer`)
      .set(await as('demo-manager'))
      .send({ ownerId: uid('demo-partner') });
    expect(res.status).toBe(400);
  });

  it('release puts it in the pool, visible to every rep; exactly one of many simultaneous claims wins', async () => {
    const rel = await t.http
      .post(`/api/v1/customers/${id}/release`)
      .set(await as('demo-rep1'))
      .send({ reason: '暂无需求' });
    expect(rel.body).toMatchObject({ status: 'pool', ownerId: null });
    expect((await t.http.get(`/api/v1/customers/${id}`).set(await as('demo-rep3'))).status).toBe(200);
    const noWrite = await t.http
      .post('/api/v1/follow-ups')
      .set(await as('demo-rep3'))
      .send({ customerId: id, type: 'call', content: 'x' });
    expect(noWrite.status).toBe(409);
    expect(noWrite.body.error.code).toBe('IN_POOL');

    const claimers = ['demo-rep1', 'demo-rep2', 'demo-rep3', 'demo-manager', 'demo-rep1', 'demo-rep2', 'demo-rep3', 'demo-manager'];
    const headers = await Promise.all(claimers.map(as));
    const results = await Promise.all(headers.map((h) => t.http.post(`/api/v1/customers/${id}/claim`).set(h)));
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    // the losers see it as taken (409), or, once it left the pool into someone else's scope, as not there (404)
    expect(results.filter((r) => r.status === 409 || r.status === 404)).toHaveLength(claimers.length - 1);
    const stored = await t.conn.model<Customer>('Customer').findById(id).lean();
    expect(String(stored!.ownerId)).toBe(winners[0]!.body.ownerId);
    const claims = await t.services.audit.list({ entityType: 'customer', entityId: id, limit: 20 });
    expect(claims.items.filter((e) => e.action === 'customer.claim')).toHaveLength(1);
  });

  it('shared with a partner: the partner reads it, cannot write it', async () => {
    expect((await t.http.get(`/api/v1/customers/${id}`).set(await as('demo-partner'))).status).toBe(404);
    const share = await t.http
      .post(`/api/v1/customers/${id}/share`)
      .set(await as('demo-rep1'))
      .send({ partnerIds: [uid('demo-partner')] });
    expect(share.status).toBe(200);
    expect((await t.http.get(`/api/v1/customers/${id}`).set(await as('demo-partner'))).status).toBe(200);
    expect((await search('demo-partner', share.body.name)).length).toBe(1);
    const fu = await t.http.get(`/api/v1/follow-ups?customerId=${id}`).set(await as('demo-partner'));
    expect(fu.body.items).toHaveLength(1);
    const patch = await t.http
      .patch(`/api/v1/customers/${id}`)
      .set(await as('demo-partner'))
      .send({ tier: 'A' });
    expect(patch.status).toBe(403);
    const log = await t.http
      .post('/api/v1/follow-ups')
      .set(await as('demo-partner'))
      .send({ customerId: id, type: 'call', content: 'x' });
    expect(log.status).toBe(403);
  });

  it('sharing only with partners', async () => {
    const res = await t.http
      .post(`/api/v1/customers/${id}/share`)
      .set(await as('demo-rep1'))
      .send({ partnerIds: [uid('demo-rep2')] });
    expect(res.status).toBe(400);
  });
});

describe('listing', () => {
  it('paginates with a cursor, each customer once, newest first', async () => {
    const h = await as('demo-admin');
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { items: Array<{ id: string }>; nextCursor: string | null } } = await t.http
        .get(`/api/v1/customers?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set(h);
      expect(res.status).toBe(200);
      ids.push(...res.body.items.map((c) => c.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(await t.conn.model<Customer>('Customer').countDocuments());
    expect([...ids].sort().reverse()).toEqual(ids);
  });

  it('filters by owner=me, tier and status', async () => {
    const res = await t.http.get('/api/v1/customers?owner=me&tier=A&limit=100').set(await as('demo-rep1'));
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.every((c: { ownerId: string; tier: string }) => c.ownerId === uid('demo-rep1') && c.tier === 'A')).toBe(true);
  });
});

describe('bad input', () => {
  it.each([
    ['missing source', { name: 'x', source: undefined }, 'VALIDATION_FAILED', 'body.source'],
    ['unknown source', { name: 'x', source: '路边' }, 'VALIDATION_FAILED', 'body.source'],
    ['unknown field', { name: 'x', ownerId: '0123456789abcdef01234567' }, 'VALIDATION_FAILED', 'body'],
    ['operator as a value', { name: { $gt: '' } }, 'FORBIDDEN_KEY', 'name.$gt'],
    ['bad phone', { name: 'x', contacts: [{ name: 'y', phones: ['12345'] }] }, 'VALIDATION_FAILED', 'body.contacts.0.phones.0'],
    ['too many tags', { name: 'x', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'VALIDATION_FAILED', 'body.tags'],
  ])('%s', async (_name, body, code, path) => {
    const res = await t.http
      .post('/api/v1/customers')
      .set(await as('demo-rep1'))
      .send({ source: '展会', ...body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(JSON.stringify(res.body.error.details)).toContain(path);
  });

  it.each([
    '/api/v1/customers?q[$regex]=.*',
    '/api/v1/customers?limit=101',
    '/api/v1/customers?owner=someone',
    '/api/v1/customers/123',
    '/api/v1/customers?tier=Z',
  ])('GET %s → 400', async (url) => {
    expect((await t.http.get(url).set(await as('demo-rep1'))).status).toBe(400);
  });
});
