import { CONTRACT_TRANSITIONS, CONTRACT_STATUSES, type ContractStatus } from '@crm/shared';
import { startTestApp, type TestApp } from '../helpers/test-app';
import type { Contact } from '../../api/src/modules/contact/contact.model';
import type { Contract } from '../../api/src/modules/contract/contract.model';
import type { Customer } from '../../api/src/modules/customer/customer.model';
import type { FollowUp } from '../../api/src/modules/follow-up/follow-up.model';
import type { Opportunity } from '../../api/src/modules/opportunity/opportunity.model';

let t: TestApp;
let customerId: string;
let otherCustomerId: string;
beforeAll(async () => {
  t = await startTestApp();
  const h = { Authorization: await t.login('demo-rep1') };
  const c = await t.http
    .post('/api/v1/customers')
    .set(h)
    .send({ name: '陈小春', company: '杭州云帆软件有限公司', source: '官网', contacts: [{ name: '陈小春', phones: ['13700001111'] }] });
  customerId = c.body.id;
  const o = await t.http
    .post('/api/v1/customers')
    .set({ Authorization: await t.login('demo-rep3') })
    .send({ name: '林志', company: '厦门海风贸易有限公司', source: '展会', contacts: [{ name: '林志', phones: ['13700002222'] }] });
  otherCustomerId = o.body.id;
});
afterAll(() => t.close());

const as = async (login: string) => ({ Authorization: await t.login(login) });

describe('follow-ups', () => {
  it('logging one moves the customer’s last and next follow-up times', async () => {
    const happenedAt = new Date(Date.now() - 3600_000).toISOString();
    const res = await t.http
      .post('/api/v1/follow-ups')
      .set(await as('demo-rep1'))
      .set('X-Client', 'miniapp')
      .send({
        customerId,
        type: 'visit',
        content: '上门拜访，演示产品',
        happenedAt,
        location: { lat: 31.23, lng: 121.47, address: '上海市黄浦区' },
        nextStep: { text: '发报价', dueAt: '2031-03-04T02:00:00Z' },
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ source: 'miniapp', type: 'visit', location: { address: '上海市黄浦区' }, nextStep: { text: '发报价' } });
    const c = await t.conn.model<Customer>('Customer').findById(customerId).lean();
    expect(c!.lastFollowUpAt!.toISOString()).toBe(happenedAt);
    expect(c!.nextFollowUpAt!.toISOString()).toBe('2031-03-04T02:00:00.000Z');
  });

  it('an older follow-up does not move lastFollowUpAt back', async () => {
    const before = (await t.conn.model<Customer>('Customer').findById(customerId).lean())!.lastFollowUpAt!;
    await t.http
      .post('/api/v1/follow-ups')
      .set(await as('demo-rep1'))
      .send({ customerId, type: 'call', content: '补录上周电话', happenedAt: new Date(before.getTime() - 7 * 86_400_000).toISOString() });
    expect((await t.conn.model<Customer>('Customer').findById(customerId).lean())!.lastFollowUpAt).toEqual(before);
  });

  it.each([
    [
      'a contact of another customer',
      async () => ({
        customerId,
        type: 'call',
        content: 'x',
        contactId: String((await t.conn.model<Contact>('Contact').findOne({ customerId: otherCustomerId }).lean())!._id),
      }),
      400,
    ],
    ['a time in the future', async () => ({ customerId, type: 'call', content: 'x', happenedAt: '2099-01-01T00:00:00Z' }), 400],
    ['an unknown type', async () => ({ customerId, type: 'fax', content: 'x' }), 400],
    ['empty content', async () => ({ customerId, type: 'call', content: '  ' }), 400],
    ['a customer out of scope', async () => ({ customerId: otherCustomerId, type: 'call', content: 'x' }), 404],
  ])('refuses %s', async (_name, body, status) => {
    const res = await t.http
      .post('/api/v1/follow-ups')
      .set(await as('demo-rep1'))
      .send(await body());
    expect(res.status).toBe(status);
  });

  it('only the author may correct a follow-up', async () => {
    const created = await t.http
      .post('/api/v1/follow-ups')
      .set(await as('demo-rep1'))
      .send({ customerId, type: 'wechat', content: '微信沟通' });
    const byManager = await t.http
      .patch(`/api/v1/follow-ups/${created.body.id}`)
      .set(await as('demo-manager'))
      .send({ content: '改写' });
    expect(byManager.status).toBe(403);
    const byAuthor = await t.http
      .patch(`/api/v1/follow-ups/${created.body.id}`)
      .set(await as('demo-rep1'))
      .send({ content: '微信沟通，客户要资料' });
    expect(byAuthor.status).toBe(200);
    expect(byAuthor.body.content).toBe('微信沟通，客户要资料');
  });

  it('lists are scoped', async () => {
    const mine = await t.http.get(`/api/v1/follow-ups?customerId=${customerId}`).set(await as('demo-rep1'));
    expect(mine.body.items.length).toBeGreaterThanOrEqual(3);
    const other = await t.http.get(`/api/v1/follow-ups?customerId=${customerId}`).set(await as('demo-rep3'));
    expect(other.body.items).toEqual([]);
    const one = await t.http.get(`/api/v1/follow-ups/${mine.body.items[0].id}`).set(await as('demo-rep3'));
    expect(one.status).toBe(404);
  });
});

describe('opportunities and their stage history', () => {
  let oppId: string;
  beforeAll(async () => {
    const res = await t.http
      .post('/api/v1/opportunities')
      .set(await as('demo-rep1'))
      .send({ customerId, name: '云帆 CRM 项目', amountFen: 12_345_600, expectedCloseDate: '2031-06-30' });
    expect(res.status).toBe(201);
    oppId = res.body.id;
    expect(res.body).toMatchObject({ stage: 'initial', stageName: '初步接洽', probability: 10, amountFen: 12_345_600 });
    expect(res.body.stageHistory).toHaveLength(1);
  });

  it('moves through stages, recording when each was entered and by whom', async () => {
    const h = await as('demo-rep1');
    for (const stage of ['needs', 'proposal']) {
      const res = await t.http.post(`/api/v1/opportunities/${oppId}/stage`).set(h).send({ stage });
      expect(res.status).toBe(200);
    }
    const res = await t.http.get(`/api/v1/opportunities/${oppId}`).set(h);
    expect(res.body.stage).toBe('proposal');
    expect(res.body.probability).toBe(50);
    expect(res.body.stageHistory.map((e: { stage: string }) => e.stage)).toEqual(['initial', 'needs', 'proposal']);
    const times = res.body.stageHistory.map((e: { enteredAt: string }) => Date.parse(e.enteredAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(res.body.stageHistory.every((e: { byId: string }) => e.byId === String(t.seeded.org.users.get('demo-rep1')))).toBe(true);
    expect(res.body.stageEnteredAt).toBe(res.body.stageHistory[2].enteredAt);
  });

  it.each([
    [{ stage: 'signed-ish' }, 400, 'UNKNOWN_STAGE'],
    [{ stage: 'lost' }, 400, 'LOST_REASON_REQUIRED'],
  ])('refuses %j', async (body, status, code) => {
    const res = await t.http
      .post(`/api/v1/opportunities/${oppId}/stage`)
      .set(await as('demo-rep1'))
      .send(body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });

  it('concurrent stage moves never lose a history entry', async () => {
    const created = await t.http
      .post('/api/v1/opportunities')
      .set(await as('demo-rep1'))
      .send({ customerId, name: '并发商机', amountFen: 100 });
    const h = await as('demo-rep1');
    const targets = ['needs', 'proposal', 'negotiation', 'needs', 'proposal', 'negotiation', 'needs', 'proposal'];
    const results = await Promise.all(targets.map((stage) => t.http.post(`/api/v1/opportunities/${created.body.id}/stage`).set(h).send({ stage })));
    const ok = results.filter((r) => r.status === 200);
    expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    const stored = await t.conn.model<Opportunity>('Opportunity').findById(created.body.id).lean();
    const history = stored!.stageHistory.map((e) => e.stage);
    expect(history[history.length - 1]).toBe(stored!.stage);
    for (let i = 1; i < history.length; i++) expect(history[i]).not.toBe(history[i - 1]);
    expect(history.length).toBeLessThanOrEqual(1 + ok.length);
  });

  it('a lost deal keeps its reason and stays closed', async () => {
    const h = await as('demo-rep1');
    const lost = await t.http.post(`/api/v1/opportunities/${oppId}/stage`).set(h).send({ stage: 'lost', lostReason: '预算取消' });
    expect(lost.body).toMatchObject({ stage: 'lost', lostReason: '预算取消', probability: 0 });
    expect(lost.body.closedAt).not.toBeNull();
    const again = await t.http.post(`/api/v1/opportunities/${oppId}/stage`).set(h).send({ stage: 'needs' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('OPPORTUNITY_CLOSED');
  });

  it('money is whole fen', async () => {
    const res = await t.http
      .post('/api/v1/opportunities')
      .set(await as('demo-rep1'))
      .send({ customerId, name: '小数金额', amountFen: 10.5 });
    expect(res.status).toBe(400);
  });

  it('lists the configured stages', async () => {
    const res = await t.http.get('/api/v1/opportunities/stages').set(await as('demo-rep1'));
    expect(res.body.items.map((s: { name: string }) => s.name)).toEqual(['初步接洽', '需求确认', '方案报价', '商务谈判', '赢单', '输单']);
  });
});

describe('contracts', () => {
  const newContract = async (number: string) =>
    t.http
      .post('/api/v1/contracts')
      .set(await as('demo-rep1'))
      .send({ customerId, number, title: '软件采购合同', amountFen: 50_000_000, discountPercent: 12.5 });

  it('contract numbers are unique', async () => {
    expect((await newContract('HT-2031-0001')).status).toBe(201);
    const dup = await newContract('HT-2031-0001');
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('CONTRACT_NUMBER_TAKEN');
  });

  it('a draft can be edited and voided; a void contract is frozen', async () => {
    const c = await newContract('HT-2031-0002');
    const h = await as('demo-rep1');
    expect((await t.http.patch(`/api/v1/contracts/${c.body.id}`).set(h).send({ discountPercent: 10 })).status).toBe(200);
    const signEarly = await t.http.post(`/api/v1/contracts/${c.body.id}/sign`).set(h).send({});
    expect(signEarly.status).toBe(409);
    expect(signEarly.body.error.code).toBe('CONTRACT_INVALID_TRANSITION');
    const voided = await t.http.post(`/api/v1/contracts/${c.body.id}/void`).set(h).send({ reason: '客户取消' });
    expect(voided.body.status).toBe('void');
    expect(voided.body.statusHistory.map((e: { status: string }) => e.status)).toEqual(['draft', 'void']);
    expect((await t.http.patch(`/api/v1/contracts/${c.body.id}`).set(h).send({ discountPercent: 5 })).status).toBe(409);
  });

  it('every state the service moves through follows the transition table', async () => {
    const c = await newContract('HT-2031-0003');
    for (const to of ['approved', 'signed'] as ContractStatus[]) {
      const doc = await t.conn.model<Contract>('Contract').findById(c.body.id).lean();
      expect(CONTRACT_TRANSITIONS[doc!.status].includes(to)).toBe(to === 'approved' ? false : true);
      // approved comes from the approvals flow; set it directly to reach `signed`
      if (to === 'approved') await t.conn.model<Contract>('Contract').updateOne({ _id: c.body.id }, { $set: { status: 'approved' } });
      else
        expect(
          (
            await t.http
              .post(`/api/v1/contracts/${c.body.id}/sign`)
              .set(await as('demo-rep1'))
              .send({})
          ).body,
        ).toMatchObject({ status: 'signed' });
    }
    const signed = await t.conn.model<Contract>('Contract').findById(c.body.id).lean();
    expect(signed!.signedAt).toBeInstanceOf(Date);
  });

  it('the transition table has no way out of void and every target is a real status', () => {
    expect(CONTRACT_TRANSITIONS.void).toEqual([]);
    for (const from of CONTRACT_STATUSES) for (const to of CONTRACT_TRANSITIONS[from]) expect(CONTRACT_STATUSES).toContain(to);
  });
});

describe('permission matrix on records (rep1 owns the customer)', () => {
  type Row = [string, string, () => Promise<{ method: 'get' | 'post' | 'patch'; url: string; body?: object }>, Record<string, number>];
  const firstFollowUp = async () => String((await t.conn.model<FollowUp>('FollowUp').findOne({ customerId }).lean())!._id);
  const firstContact = async () => String((await t.conn.model<Contact>('Contact').findOne({ customerId }).lean())!._id);
  const rows: Row[] = [
    ['list customers', 'get', async () => ({ method: 'get', url: '/api/v1/customers' }), { rep1: 200, rep3: 200, manager: 200, partner: 200, admin: 200 }],
    [
      'get customer',
      'get',
      async () => ({ method: 'get', url: `/api/v1/customers/${customerId}` }),
      { rep1: 200, rep3: 404, manager: 200, partner: 404, admin: 200 },
    ],
    [
      'create customer',
      'post',
      async () => ({ method: 'post', url: '/api/v1/customers', body: { name: `矩阵${Math.random()}`, source: '其他' } }),
      { rep1: 201, rep3: 201, manager: 201, partner: 403, admin: 201 },
    ],
    [
      'update customer',
      'patch',
      async () => ({ method: 'patch', url: `/api/v1/customers/${customerId}`, body: { tags: ['重点'] } }),
      { rep1: 200, rep3: 404, manager: 200, partner: 403, admin: 200 },
    ],
    [
      'transfer customer',
      'post',
      async () => ({ method: 'post', url: `/api/v1/customers/${customerId}/transfer`, body: { ownerId: String(t.seeded.org.users.get('demo-rep1')) } }),
      { rep1: 403, rep3: 403, manager: 200, partner: 403, admin: 200 },
    ],
    [
      'add contact',
      'post',
      async () => ({ method: 'post', url: `/api/v1/customers/${customerId}/contacts`, body: { name: '助理' } }),
      { rep1: 201, rep3: 404, manager: 201, partner: 403, admin: 201 },
    ],
    [
      'get contact',
      'get',
      async () => ({ method: 'get', url: `/api/v1/contacts/${await firstContact()}` }),
      { rep1: 200, rep3: 404, manager: 200, partner: 404, admin: 200 },
    ],
    [
      'update contact',
      'patch',
      async () => ({ method: 'patch', url: `/api/v1/contacts/${await firstContact()}`, body: { title: '总监' } }),
      { rep1: 200, rep3: 404, manager: 200, partner: 403, admin: 200 },
    ],
    [
      'log follow-up',
      'post',
      async () => ({ method: 'post', url: '/api/v1/follow-ups', body: { customerId, type: 'call', content: '矩阵' } }),
      { rep1: 201, rep3: 404, manager: 201, partner: 403, admin: 201 },
    ],
    [
      'get follow-up',
      'get',
      async () => ({ method: 'get', url: `/api/v1/follow-ups/${await firstFollowUp()}` }),
      { rep1: 200, rep3: 404, manager: 200, partner: 404, admin: 200 },
    ],
    [
      'create deal',
      'post',
      async () => ({ method: 'post', url: '/api/v1/opportunities', body: { customerId, name: '矩阵商机', amountFen: 1 } }),
      { rep1: 201, rep3: 404, manager: 201, partner: 403, admin: 201 },
    ],
    ['list deals', 'get', async () => ({ method: 'get', url: '/api/v1/opportunities' }), { rep1: 200, rep3: 200, manager: 200, partner: 200, admin: 200 }],
    [
      'create contract',
      'post',
      async () => ({
        method: 'post',
        url: '/api/v1/contracts',
        body: { customerId, number: `M-${Math.random().toString(36).slice(2, 10)}`, title: '矩阵合同', amountFen: 1 },
      }),
      { rep1: 201, rep3: 404, manager: 201, partner: 403, admin: 201 },
    ],
    ['list contracts', 'get', async () => ({ method: 'get', url: '/api/v1/contracts' }), { rep1: 200, rep3: 200, manager: 200, partner: 200, admin: 200 }],
  ];
  const logins: Record<string, string> = { rep1: 'demo-rep1', rep3: 'demo-rep3', manager: 'demo-manager', partner: 'demo-partner', admin: 'demo-admin' };
  const table = rows.flatMap(([name, , req, expected]) => Object.entries(expected).map(([who, status]) => [name, who, req, status] as const));

  it.each(table)('%s as %s', async (_name, who, req, status) => {
    const r = await req();
    let call = t.http[r.method](r.url).set(await as(logins[who]!));
    if (r.body) call = call.send(r.body);
    const res = await call;
    expect(res.status).toBe(status);
  });

  it('list endpoints never return records out of scope', async () => {
    for (const path of ['/api/v1/contacts', '/api/v1/follow-ups', '/api/v1/opportunities', '/api/v1/contracts']) {
      const res = await t.http.get(`${path}?limit=100`).set(await as('demo-rep3'));
      expect(res.body.items.every((x: { ownerId: string }) => x.ownerId === String(t.seeded.org.users.get('demo-rep3')))).toBe(true);
    }
  });
});
