/**
 * Issue #12 "Trust", approvals: reports decided by the claim, no silent skips (the fallback chain), the
 * contract follows its approval, partners and out-of-scope subjects, decisions that never wait for WeCom.
 */
import { Types } from 'mongoose';
import { FakeWeComServer } from '../fakes/fake-wecom-server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { cardClickXml, sealedPost, WECOM_TEST_APP, WECOM_TEST_ENV } from '../helpers/wecom-packets';
import type { Approval } from '../../api/src/modules/approval/approval.model';
import type { Contract } from '../../api/src/modules/contract/contract.model';
import type { Customer } from '../../api/src/modules/customer/customer.model';
import type { Department } from '../../api/src/modules/org/department.model';
import type { User } from '../../api/src/modules/org/user.model';

let fake: FakeWeComServer;
let t: TestApp;
let n = 0;
const meta = { requestId: 'test', channel: 'system' as const, actorId: null };
beforeAll(async () => {
  fake = await new FakeWeComServer(WECOM_TEST_APP).start();
  t = await startTestApp(WECOM_TEST_ENV(fake.baseUrl));
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});

const as = async (login: string) => ({ Authorization: await t.login(login) });
async function settle() {
  await t.bot.inFlight.drain();
  await t.services.approvals.settled();
  await t.bot.inFlight.drain();
}
const userId = async (login: string) => String((await t.conn.model<User>('User').findOne({ 'identities.wecom': login }).lean())!._id);
const textsTo = (user: string) =>
  fake
    .to(user)
    .filter((d) => d.msgtype === 'text')
    .map((d) => (d.body.text as { content: string }).content);
/** What a requester was told: their approval cards (`apr-…`), as JSON. */
const toldRequester = (user: string) =>
  fake
    .to(user)
    .filter((d) => d.msgtype === 'template_card' && String((d.body.template_card as { task_id: string }).task_id).startsWith('apr-'))
    .map((d) => JSON.stringify(d.body.template_card));

async function customerOf(login: string, company: string): Promise<string> {
  n += 1;
  const res = await t.http
    .post('/api/v1/customers')
    .set(await as(login))
    .send({ name: `客户${n}`, company, source: '官网', contacts: [{ name: `联系人${n}`, phones: [`1390000${String(n).padStart(4, '0')}`] }] });
  expect(res.status).toBe(201);
  return res.body.id as string;
}
async function contractOf(login: string, customerId: string, amountYuan: number): Promise<string> {
  n += 1;
  const res = await t.http
    .post('/api/v1/contracts')
    .set(await as(login))
    .send({ customerId, number: `HT-TR-${n}`, title: `信任合同${n}`, amountFen: amountYuan * 100, discountPercent: 0 });
  expect(res.status).toBe(201);
  return res.body.id as string;
}
const submit = async (login: string, contractId: string) =>
  t.http
    .post(`/api/v1/contracts/${contractId}/submit`)
    .set(await as(login))
    .send({});
const decide = async (login: string, id: string, decision: 'approve' | 'reject', comment?: string) =>
  t.http
    .post(`/api/v1/approvals/${id}/decision`)
    .set(await as(login))
    .send({ decision, ...(comment ? { comment } : {}) });
const contractStatus = async (id: string) => (await t.conn.model<Contract>('Contract').findById(id).lean())!.status;
async function newUser(login: string, opts: { leader?: string; department?: string | null; roles?: Array<'rep' | 'manager' | 'admin' | 'partner'> } = {}) {
  const dep =
    opts.department === null
      ? null
      : await t.conn
          .model<Department>('Department')
          .findOne({ name: opts.department ?? '华东销售部' })
          .lean();
  return t.services.org.createUser(meta, {
    name: login,
    departmentIds: dep ? [String(dep._id)] : [],
    leaderId: opts.leader ? await userId(opts.leader) : undefined,
    roles: opts.roles ?? ['rep'],
    dataScope: 'own',
    identities: { wecom: login },
  });
}

describe('customer reports: the claim decides the outcome', () => {
  it('20 leaderless reps report one pool customer at once with no rule to route it: 1 approved and owning it, 19 rejected with the reason and told', async () => {
    const logins = Array.from({ length: 20 }, (_, i) => `lone-${i}`);
    // leaderless, but in a sales department: only a pool's members may report and claim its customers (issue #18)
    for (const l of logins) await newUser(l, { department: '华南销售部' });
    const id = await customerOf('demo-rep2', '温州海湾贸易有限公司');
    expect(
      (
        await t.http
          .post(`/api/v1/customers/${id}/release`)
          .set(await as('demo-rep2'))
          .send({})
      ).status,
    ).toBe(200);
    const rules = t.services.approvals.rules.rules;
    const saved = [...rules];
    rules.splice(0, rules.length, ...saved.filter((r) => r.subject !== 'customer-report')); // nothing matches: approved at once
    try {
      const headers = await Promise.all(logins.map(as));
      const answers = await Promise.all(headers.map((h) => t.http.post('/api/v1/approvals').set(h).send({ subjectType: 'customer-report', subjectId: id })));
      await settle();
      // Each ends approved (the one that claimed), rejected with the reason, or — when the claim came before
      // its submit even looked — refused like any customer out of scope (404: no longer in the pool, not theirs).
      const won = answers.filter((r) => r.status === 201 && r.body.status === 'approved');
      const lost = answers.filter((r) => r.status === 201 && r.body.status === 'rejected');
      const refused = answers.filter((r) => r.status === 404);
      expect([won.length, lost.length + refused.length]).toEqual([1, 19]);
      expect(lost.length).toBeGreaterThan(0);
      const customer = await t.conn.model<Customer>('Customer').findById(id).lean();
      expect(customer!.status).toBe('owned');
      expect(String(customer!.ownerId)).toBe(won[0]!.body.requester.id);
      const winner = won[0]!.body.requester.name as string;
      for (const r of lost) expect(r.body.history.at(-1)).toMatchObject({ action: 'reject', comment: `报备未生效：客户已被 ${winner} 领取` });
      const told = logins.filter((l) => toldRequester(l).some((x) => x.includes('未通过') && x.includes(`客户已被 ${winner} 领取`)));
      expect(told).toHaveLength(lost.length);
      expect(await t.conn.model<Approval>('Approval').countDocuments({ subjectId: id, status: 'approved' })).toBe(1);
    } finally {
      rules.splice(0, rules.length, ...saved);
    }
  });

  it('a routed report whose customer was claimed meanwhile ends rejected on approval, with the reason, and the requester is told', async () => {
    // released by its manager-owner: 陈静 may claim it at once (a releaser waits out the pool's cooldown, issue #18)
    const id = await customerOf('demo-manager', '台州东海船舶有限公司');
    await t.http
      .post(`/api/v1/customers/${id}/release`)
      .set(await as('demo-manager'))
      .send({});
    const a = await t.http
      .post('/api/v1/approvals')
      .set(await as('demo-rep1'))
      .send({ subjectType: 'customer-report', subjectId: id });
    expect(a.body.status).toBe('pending');
    expect(
      (
        await t.http
          .post(`/api/v1/customers/${id}/claim`)
          .set(await as('demo-rep2'))
          .send({})
      ).status,
    ).toBe(200);
    const done = await decide('demo-manager', a.body.id, 'approve');
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('rejected');
    expect(done.body.history.at(-1).comment).toBe('报备未生效：客户已被 陈静 领取');
    await settle();
    expect(toldRequester('demo-rep1').at(-1)).toContain('未通过：报备未生效：客户已被 陈静 领取');
    expect(String((await t.conn.model<Customer>('Customer').findById(id).lean())!.ownerId)).toBe(await userId('demo-rep2'));
  });
});

describe('no silent skips: the fallback chain', () => {
  it('a resigned manager: contracts under 100,000 and a 10% discount go to the leader’s leader, recorded on the route, never approved at submit', async () => {
    const managerId = await userId('demo-manager');
    const customerId = await customerOf('demo-rep1', '金华义乌小商品有限公司');
    const contractId = await contractOf('demo-rep1', customerId, 50_000);
    await t.conn.model<User>('User').updateOne({ _id: managerId }, { $set: { status: 'resigned' } }); // left without a hand-over
    try {
      const a = await submit('demo-rep1', contractId);
      expect(a.status).toBe(201);
      expect(a.body.status).toBe('pending');
      expect(a.body.steps.map((s: { status: string }) => s.status)).toEqual(['pending']);
      expect(a.body.steps[0].approvers).toMatchObject([{ name: '李娜', standInReason: '张伟 已离职，由上级 李娜 代为审批' }]);
      expect(a.body.history.map((h: { action: string }) => h.action)).toEqual(['submit', 'stand-in']);
      expect(await contractStatus(contractId)).toBe('pending_approval');
      expect(
        (
          await t.http
            .post(`/api/v1/contracts/${contractId}/sign`)
            .set(await as('demo-rep1'))
            .send({})
        ).status,
      ).toBe(409);

      const other = await contractOf('demo-rep1', customerId, 10_000);
      const d = await t.http
        .post('/api/v1/approvals')
        .set(await as('demo-rep1'))
        .send({ subjectType: 'discount', subjectId: other, discountPercent: 10 });
      expect(d.body.status).toBe('pending');
      expect(d.body.steps[0].approvers[0].name).toBe('李娜');
      expect((await decide('demo-director', a.body.id, 'approve')).body.status).toBe('approved');
      expect(await contractStatus(contractId)).toBe('approved');
    } finally {
      await t.conn.model<User>('User').updateOne({ _id: managerId }, { $set: { status: 'active' } });
    }
  });

  it.each([
    ['a leaderless rep in a department: its leader', '华东销售部', ['张伟', '申请人没有上级，由部门负责人 张伟 代为审批']],
    ['a leaderless rep in no department: an admin', null, ['孙立', '申请人没有上级，由管理员 孙立 代为审批']],
  ])('%s stands in', async (_, department, expected) => {
    const login = `orphan-${department ? 'dept' : 'none'}`;
    await newUser(login, { department });
    const c = await contractOf(login, await customerOf(login, `${login}贸易有限公司`), 20_000);
    const a = await submit(login, c);
    expect(a.body.steps[0].approvers.map((x: { name: string; standInReason: string }) => [x.name, x.standInReason])).toEqual([expected]);
  });

  it('refuses to submit (422) only when the whole chain is empty', async () => {
    const login = 'orphan-no-admin';
    await newUser(login, { department: null });
    const c = await contractOf(login, await customerOf(login, '丽水山野农业有限公司'), 20_000);
    const adminId = await userId('demo-admin');
    await t.conn.model<User>('User').updateOne({ _id: adminId }, { $set: { status: 'resigned' } });
    try {
      const res = await submit(login, c);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('APPROVAL_NO_APPROVER');
      expect(res.body.error.message).toContain('部门经理');
      expect(await contractStatus(c)).toBe('draft');
    } finally {
      await t.conn.model<User>('User').updateOne({ _id: adminId }, { $set: { status: 'active' } });
    }
  });
});

describe('the contract follows its approval, whatever the requester’s scope', () => {
  it('the requester resigned while it was being approved: the contract is approved and can be signed', async () => {
    await newUser('quitter', { leader: 'demo-manager' });
    const c = await contractOf('quitter', await customerOf('quitter', '湖州丝绸有限公司'), 30_000);
    const a = await submit('quitter', c);
    expect(
      (
        await t.http
          .post(`/api/v1/users/${await userId('quitter')}/deactivate`)
          .set(await as('demo-admin'))
          .send({})
      ).status,
    ).toBe(200);
    expect((await decide('demo-manager', a.body.id, 'approve')).body.status).toBe('approved');
    expect(await contractStatus(c)).toBe('approved');
    expect(
      (
        await t.http
          .post(`/api/v1/contracts/${c}/sign`)
          .set(await as('demo-manager'))
          .send({})
      ).status,
    ).toBe(200);
  });

  it('the customer was transferred while its contract was being approved: approved, and the new owner can sign it; a rejected one can be resubmitted', async () => {
    const customerId = await customerOf('demo-rep2', '嘉兴南湖电子有限公司');
    const c1 = await contractOf('demo-rep2', customerId, 30_000);
    const c2 = await contractOf('demo-rep2', customerId, 40_000);
    const a1 = await submit('demo-rep2', c1);
    const a2 = await submit('demo-rep2', c2);
    const moved = await t.http
      .post(`/api/v1/customers/${customerId}/transfer`)
      .set(await as('demo-manager'))
      .send({ ownerId: await userId('demo-rep1'), reason: '调整分工' });
    expect(moved.status).toBe(200);
    expect((await decide('demo-manager', a1.body.id, 'approve')).body.status).toBe('approved');
    expect((await decide('demo-manager', a2.body.id, 'reject', '金额有误')).body.status).toBe('rejected');
    expect(await contractStatus(c1)).toBe('approved');
    expect(await contractStatus(c2)).toBe('rejected');
    expect(
      (
        await t.http
          .post(`/api/v1/contracts/${c1}/sign`)
          .set(await as('demo-rep1'))
          .send({})
      ).status,
    ).toBe(200);
    expect((await submit('demo-rep1', c2)).status).toBe(201);
  });
});

describe('partners and out-of-scope subjects', () => {
  it('POST /users refuses a partner with any scope but shared-only; PATCH too', async () => {
    const admin = await as('demo-admin');
    const dep = await t.conn.model<Department>('Department').findOne({ name: '外部合作伙伴' }).lean();
    for (const dataScope of ['all', 'department', 'department_and_children', 'own_and_subordinates']) {
      const res = await t.http
        .post('/api/v1/users')
        .set(admin)
        .send({ name: `伙伴${dataScope}`, departmentIds: [String(dep!._id)], roles: ['partner'], dataScope });
      expect([dataScope, res.status, res.body.error?.details?.[0]?.path]).toEqual([dataScope, 400, 'body.dataScope']);
    }
    const ok = await t.http
      .post('/api/v1/users')
      .set(admin)
      .send({ name: '伙伴own', departmentIds: [String(dep!._id)], roles: ['partner'], dataScope: 'own' });
    expect(ok.status).toBe(201);
    const patched = await t.http
      .patch(`/api/v1/users/${await userId('demo-partner')}`)
      .set(admin)
      .send({ dataScope: 'all' });
    expect(patched.status).toBe(400);
  });

  it('a partner given scope `all` anyway still reads no approval that is not theirs', async () => {
    const c = await contractOf('demo-rep1', await customerOf('demo-rep1', '绍兴黄酒有限公司'), 20_000);
    const a = await submit('demo-rep1', c);
    await t.conn.model<User>('User').updateOne({ 'identities.wecom': 'demo-partner' }, { $set: { dataScope: 'all' } });
    try {
      const res = await t.http.get(`/api/v1/approvals/${a.body.id}`).set(await as('demo-partner'));
      expect(res.status).toBe(404);
      const gm = await t.http.get(`/api/v1/approvals/${a.body.id}`).set(await as('demo-gm'));
      expect(gm.status).toBe(200);
    } finally {
      await t.conn.model<User>('User').updateOne({ 'identities.wecom': 'demo-partner' }, { $set: { dataScope: 'own' } });
    }
  });

  it('card actions check visibility like the API: a 驳回 / 同意 / 详情 tap on an approval one cannot see reveals nothing', async () => {
    const c = await contractOf('demo-rep1', await customerOf('demo-rep1', '舟山渔业有限公司'), 20_000);
    const a = await submit('demo-rep1', c);
    await settle();
    for (const key of [`apv.no:${a.body.id}:0`, `apv.ok:${a.body.id}:0`, `apv.view:${a.body.id}`]) {
      const before = { texts: textsTo('demo-rep3').length, updates: fake.updates.length };
      const p = sealedPost(cardClickXml('demo-rep3', key, `apv-${a.body.id}-forged`, fake.issueClickResponseCode()));
      expect((await t.http.post('/bot/wecom/callback').query(p.query).set('Content-Type', 'text/xml').send(p.body)).status).toBe(200);
      await settle();
      expect([key, textsTo('demo-rep3').slice(before.texts)]).toEqual([key, ['审批不存在或无权查看']]);
      expect(fake.updates.length).toBe(before.updates);
    }
    expect((await t.conn.model<Approval>('Approval').findById(a.body.id).lean())!.status).toBe('pending');
  });

  it('a discount on an opportunity or contract out of scope answers exactly like one that does not exist', async () => {
    const customerId = await customerOf('demo-rep1', '衢州石材有限公司');
    const opp = await t.http
      .post('/api/v1/opportunities')
      .set(await as('demo-rep1'))
      .send({ customerId, name: '石材大单', amountFen: 80_000_00 });
    expect(opp.status).toBe(201);
    const contractId = await contractOf('demo-rep1', customerId, 20_000);
    const ask = async (subjectId: string) => {
      const res = await t.http
        .post('/api/v1/approvals')
        .set(await as('demo-rep3'))
        .send({ subjectType: 'discount', subjectId, discountPercent: 10 });
      return { status: res.status, code: res.body.error?.code, message: res.body.error?.message, details: res.body.error?.details };
    };
    const missing = await ask(new Types.ObjectId().toHexString());
    expect(missing.status).toBe(404);
    expect(await ask(opp.body.id)).toEqual(missing);
    expect(await ask(contractId)).toEqual(missing);
  });
});

describe('decisions do not wait for chat platforms', () => {
  it('with WeCom answering slowly, the decision answers before any card is redrawn (the contract already follows); every card is redrawn afterwards', async () => {
    const c = await contractOf('demo-rep1', await customerOf('demo-rep1', '宁海竹木有限公司'), 20_000);
    const a = await submit('demo-rep1', c);
    await settle();
    fake.delayMs = 1_000;
    try {
      const before = { updates: fake.updates.length, delivered: fake.delivered.length };
      const res = await decide('demo-manager', a.body.id, 'approve');
      expect(res.body.status).toBe('approved');
      expect(await contractStatus(c)).toBe('approved');
      expect(fake.updates.length).toBe(before.updates); // nothing redrawn yet: the answer did not wait for it
      // a client retry of the same decision gets the state, not a 409
      const retry = await decide('demo-manager', a.body.id, 'approve');
      expect([retry.status, retry.body.status]).toEqual([200, 'approved']);
      await settle();
      expect(fake.updates.length).toBe(before.updates + 1);
      expect(fake.delivered.slice(before.delivered).map((d) => d.touser)).toEqual(['demo-rep1']);
      const stored = await t.conn.model<Approval>('Approval').findById(a.body.id).lean();
      expect(stored!.effectsVersion).toBe(stored!.version);
    } finally {
      fake.delayMs = 0;
    }
  });
});
