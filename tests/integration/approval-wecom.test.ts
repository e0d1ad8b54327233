import { auditModel } from '../../api/src/modules/audit/audit.model';
import { FakeWeComServer } from '../fakes/fake-wecom-server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { cardClickXml, sealedPost, textXml, WECOM_TEST_APP, WECOM_TEST_ENV } from '../helpers/wecom-packets';
import type { Approval } from '../../api/src/modules/approval/approval.model';

let fake: FakeWeComServer;
let t: TestApp;
let customerId: string;
let n = 0;
beforeAll(async () => {
  fake = await new FakeWeComServer(WECOM_TEST_APP).start();
  t = await startTestApp(WECOM_TEST_ENV(fake.baseUrl));
  const c = await t.http
    .post('/api/v1/customers')
    .set(await as('demo-rep1'))
    .send({ name: '陈小春', company: '杭州云帆软件有限公司', source: '官网', contacts: [{ name: '陈小春', phones: ['13700001111'] }] });
  customerId = c.body.id;
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});

const as = async (login: string) => ({ Authorization: await t.login(login) });
/** Bot work, then the approval effects it started (cards and notices run in the background), then what those queued. */
async function settle() {
  await t.bot.inFlight.drain();
  await t.services.approvals.settled();
  await t.bot.inFlight.drain();
}

type TemplateCard = { task_id: string; main_title: { title: string; desc?: string }; button_list: Array<{ key: string; text: string }>; replace_text?: string };

async function submitContract(amountYuan: number): Promise<{ approvalId: string; contractId: string }> {
  n += 1;
  const c = await t.http
    .post('/api/v1/contracts')
    .set(await as('demo-rep1'))
    .send({ customerId, number: `HT-WC-${n}`, title: `云平台合同${n}`, amountFen: amountYuan * 100, discountPercent: 0 });
  const a = await t.http
    .post(`/api/v1/contracts/${c.body.id}/submit`)
    .set(await as('demo-rep1'))
    .send({});
  expect(a.status).toBe(201);
  await settle();
  return { approvalId: a.body.id, contractId: c.body.id };
}

/** Cards delivered to a user for an approval, in order. */
const cardsTo = (user: string, approvalId: string): TemplateCard[] =>
  fake
    .to(user)
    .filter((d) => d.msgtype === 'template_card')
    .map((d) => d.body.template_card as TemplateCard)
    .filter((c) => c.task_id.includes(approvalId));
const textsTo = (user: string) =>
  fake
    .to(user)
    .filter((d) => d.msgtype === 'text')
    .map((d) => (d.body.text as { content: string }).content);
/** What the requester was told: their cards (task ids `apr-…`), each as its JSON (headline, link, buttons). */
const toldRequester = (user: string) =>
  fake
    .to(user)
    .filter((d) => d.msgtype === 'template_card' && (d.body.template_card as TemplateCard).task_id.startsWith('apr-'))
    .map((d) => JSON.stringify(d.body.template_card));
/** Notices (markdown, with the approval's link). */
const noticesTo = (user: string) =>
  fake
    .to(user)
    .filter((d) => d.msgtype === 'markdown')
    .map((d) => (d.body.markdown as { content: string }).content);
/** What a card shows now: its last update, or as sent. */
const latest = (card: TemplateCard): TemplateCard =>
  (fake.updates.filter((u) => u.template_card.task_id === card.task_id).at(-1)?.template_card as TemplateCard | undefined) ?? card;

async function click(user: string, card: TemplateCard, text: string) {
  const key = card.button_list.find((b) => b.text === text)!.key;
  const inner = cardClickXml(user, key, card.task_id, fake.issueClickResponseCode());
  const p = sealedPost(inner);
  const res = await t.http.post('/bot/wecom/callback').query(p.query).set('Content-Type', 'text/xml').send(p.body);
  expect(res.status).toBe(200);
  await settle();
  return inner;
}
async function say(user: string, text: string) {
  const p = sealedPost(textXml(user, text));
  await t.http.post('/bot/wecom/callback').query(p.query).set('Content-Type', 'text/xml').send(p.body);
  await settle();
}
const approval = async (id: string) => (await t.http.get(`/api/v1/approvals/${id}`).set(await as('demo-rep1'))).body;
const contractStatus = async (id: string) => (await t.http.get(`/api/v1/contracts/${id}`).set(await as('demo-rep1'))).body.status as string;

describe('approval cards end to end through encrypted WeCom callbacks', () => {
  it('600,000 contract: manager → director → legal by card taps; the contract is approved, the requester told, every card final', async () => {
    const { approvalId, contractId } = await submitContract(600_000);
    const [managerCard] = cardsTo('demo-manager', approvalId);
    expect(managerCard).toBeDefined();
    expect(managerCard!.main_title.title).toBe('合同审批：待你审批');
    expect(managerCard!.button_list.map((b) => b.text)).toEqual(['同意', '驳回', '查看详情']);
    expect(JSON.stringify(managerCard)).toContain('¥60万');
    expect(cardsTo('demo-director', approvalId)).toHaveLength(0);
    expect(toldRequester('demo-rep1').at(-1)).toContain('等待 张伟（部门经理）审批');

    await click('demo-manager', managerCard!, '同意');
    expect(latest(managerCard!).replace_text).toBe('你已同意');
    const [directorCard] = cardsTo('demo-director', approvalId);
    expect(directorCard).toBeDefined();
    expect(JSON.stringify(directorCard)).toContain('张伟 已同意 → 李娜 审批中 → 吴昊 未开始');
    expect(cardsTo('demo-legal', approvalId)).toHaveLength(0);
    expect(toldRequester('demo-rep1').at(-1)).toContain('张伟 已同意，等待 李娜（销售总监）审批');

    await click('demo-director', directorCard!, '同意');
    const [legalCard] = cardsTo('demo-legal', approvalId);
    expect(legalCard).toBeDefined();
    await click('demo-legal', legalCard!, '同意');

    expect((await approval(approvalId)).status).toBe('approved');
    expect(await contractStatus(contractId)).toBe('approved');
    expect(toldRequester('demo-rep1').at(-1)).toContain('已通过');
    for (const card of [managerCard!, directorCard!, legalCard!]) {
      expect(latest(card).replace_text).toBe('已通过');
      expect(latest(card).button_list).toEqual([]);
    }
    // no notice was needed: every card was redrawn with a valid code
    expect(textsTo('demo-manager')).toEqual([]);
    expect(noticesTo('demo-manager')).toEqual([]);
  });

  it('a rejection from the card asks for the reason as the next message and records it', async () => {
    const { approvalId, contractId } = await submitContract(200_000);
    const [card] = cardsTo('demo-manager', approvalId);
    await click('demo-manager', card!, '驳回');
    expect(textsTo('demo-manager').at(-1)).toBe('请回复驳回原因（回复“取消”放弃）');
    expect((await approval(approvalId)).status).toBe('pending');
    await say('demo-manager', '价格低于底线');
    const a = await approval(approvalId);
    expect(a.status).toBe('rejected');
    expect(a.steps[0].approvers[0]).toMatchObject({ decision: 'reject', comment: '价格低于底线' });
    expect(await contractStatus(contractId)).toBe('rejected');
    expect(textsTo('demo-manager').at(-1)).toBe('已驳回，原因：价格低于底线');
    expect(toldRequester('demo-rep1').at(-1)).toContain('被 张伟 驳回：价格低于底线');
    expect(latest(card!).replace_text).toBe('已驳回');
    // the director was never asked
    expect(cardsTo('demo-director', approvalId)).toHaveLength(0);
  });

  it('duplicate callbacks and a double tap give one decision, one audit entry, one set of notices', async () => {
    const { approvalId } = await submitContract(20_000);
    const [card] = cardsTo('demo-manager', approvalId);
    const key = card!.button_list[0]!.key;
    const before = fake.delivered.length;
    const same = cardClickXml('demo-manager', key, card!.task_id, fake.issueClickResponseCode());
    const other = cardClickXml('demo-manager', key, card!.task_id, fake.issueClickResponseCode());
    const post = (inner: string) => {
      const p = sealedPost(inner);
      return t.http.post('/bot/wecom/callback').query(p.query).set('Content-Type', 'text/xml').send(p.body);
    };
    await Promise.all([post(same), post(same), post(same), post(other)]);
    await settle();
    const a = await approval(approvalId);
    expect(a.status).toBe('approved');
    expect(a.history.filter((h: { action: string }) => h.action === 'approve')).toHaveLength(1);
    expect(await auditModel(t.conn).countDocuments({ entityId: approvalId, action: 'approval.approve' })).toBe(1);
    // one notice to the requester; nothing else delivered (the cards were updated in place)
    const sent = fake.delivered.slice(before);
    expect(sent.map((d) => d.touser)).toEqual(['demo-rep1']);
    expect(latest(card!).replace_text).toBe('已通过');
  });

  it('50 concurrent decisions (card taps and API calls) on one pending step: one winner, one audit entry, one set of notices', async () => {
    const { approvalId } = await submitContract(25_000);
    const [card] = cardsTo('demo-manager', approvalId);
    const key = card!.button_list[0]!.key;
    const before = { delivered: fake.delivered.length, updates: fake.updates.length };
    const header = await as('demo-manager');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        if (i % 2) return t.http.post(`/api/v1/approvals/${approvalId}/decision`).set(header).send({ decision: 'approve' });
        const p = sealedPost(cardClickXml('demo-manager', key, card!.task_id, fake.issueClickResponseCode()));
        return t.http.post('/bot/wecom/callback').query(p.query).set('Content-Type', 'text/xml').send(p.body);
      }),
    );
    await settle();
    const api = results.filter((_, i) => i % 2);
    const a = await approval(approvalId);
    expect(a.status).toBe('approved');
    expect(a.history.map((h: { action: string }) => h.action)).toEqual(['submit', 'approve']);
    expect(await auditModel(t.conn).countDocuments({ entityId: approvalId, action: 'approval.approve' })).toBe(1);
    // the API calls are the same approver's: each answers the current state (a retry), never a confusing 409
    expect(api.map((r) => `${r.status}:${r.body.status}`)).toEqual(api.map(() => '200:approved'));
    // one notice (to the requester) and one card update, whoever won
    expect(fake.delivered.slice(before.delivered).map((d) => d.touser)).toEqual(['demo-rep1']);
    expect(fake.updates.slice(before.updates)).toHaveLength(1);
    expect(latest(card!).replace_text).toBe('已通过');
  });

  it('two approvers of an any step tapping at once: one decides, the other sees “已由 X 处理”; a rule change never alters approvals in flight', async () => {
    const rules = t.services.approvals.rules.rules;
    rules.unshift({
      id: 'test-any',
      subject: 'discount',
      when: { discountPercent: { gte: 50 } },
      steps: [{ key: 'pair', name: '财务或法务', order: 1, mode: 'any', approvers: [{ type: 'users', users: ['demo-finance', 'demo-legal'] }] }],
    });
    try {
      n += 1;
      const c = await t.http
        .post('/api/v1/contracts')
        .set(await as('demo-rep1'))
        .send({ customerId, number: `HT-WC-${n}`, title: '折扣合同', amountFen: 1_000_00, discountPercent: 0 });
      const a = await t.http
        .post('/api/v1/approvals')
        .set(await as('demo-rep1'))
        .send({ subjectType: 'discount', subjectId: c.body.id, discountPercent: 60 });
      await settle();
      expect(a.body.steps[0].approvers.map((x: { name: string }) => x.name)).toEqual(['赵敏', '吴昊']);
      rules.shift(); // the rule goes away: the approval keeps the route it was given
      expect((await approval(a.body.id)).steps[0].name).toBe('财务或法务');
      const [fin] = cardsTo('demo-finance', a.body.id);
      const [leg] = cardsTo('demo-legal', a.body.id);
      const post = (user: string, card: { task_id: string; button_list: Array<{ key: string }> }) => {
        const p = sealedPost(cardClickXml(user, card.button_list[0]!.key, card.task_id, fake.issueClickResponseCode()));
        return t.http.post('/bot/wecom/callback').query(p.query).set('Content-Type', 'text/xml').send(p.body);
      };
      await Promise.all([post('demo-finance', fin!), post('demo-legal', leg!)]);
      await settle();
      const done = await approval(a.body.id);
      expect(done.steps[0].status).toBe('approved');
      expect(done.history.filter((h: { action: string }) => h.action === 'approve')).toHaveLength(1);
      const winner = done.steps[0].approvers.find((x: { decision: string | null }) => x.decision === 'approve').name as string;
      const loser = winner === '赵敏' ? 'demo-legal' : 'demo-finance';
      expect(textsTo(loser).at(-1)).toBe(`已由 ${winner} 处理`);
      expect(latest(winner === '赵敏' ? leg! : fin!).replace_text).toBe(`已由 ${winner} 处理`);
      expect(latest(winner === '赵敏' ? fin! : leg!).replace_text).toBe('你已同意');
    } finally {
      if (rules[0]?.id === 'test-any') rules.shift();
    }
  });
});

describe('withdrawal and recovery', () => {
  it('a withdrawal redraws the approver’s card as 已撤回 and puts the contract back to draft', async () => {
    const { approvalId, contractId } = await submitContract(60_000);
    const [card] = cardsTo('demo-manager', approvalId);
    const res = await t.http
      .post(`/api/v1/approvals/${approvalId}/withdraw`)
      .set(await as('demo-rep1'))
      .send({ comment: '客户要改条款' });
    expect(res.body.status).toBe('withdrawn');
    await settle();
    expect(latest(card!).replace_text).toBe('已撤回');
    expect(await contractStatus(contractId)).toBe('draft');
    // tapping the stale card afterwards only says so
    await click('demo-manager', card!, '同意');
    expect(textsTo('demo-manager').at(-1)).toBe('该审批已撤回');
  });

  it('side effects a stopped process never ran are re-run once by the sweep', async () => {
    const { approvalId, contractId } = await submitContract(70_000);
    const [card] = cardsTo('demo-manager', approvalId);
    // as if the process died right after claiming the decision: the decision is stored, nothing else happened
    const manager = (await t.services.org.findActiveUserByPlatformId('wecom', 'demo-manager'))!;
    const a = await t.conn.model<Approval>('Approval').findById(approvalId).lean();
    await t.conn.model<Approval>('Approval').updateOne(
      { _id: approvalId },
      {
        $set: {
          status: 'approved',
          'steps.0.status': 'approved',
          'steps.0.approvers.0.decision': 'approve',
          'steps.0.approvers.0.decidedAt': new Date(),
          version: a!.version + 1,
          updatedAt: new Date(Date.now() - 120_000),
        },
        $push: { history: { at: new Date(), actorId: manager._id, actorName: '张伟', action: 'approve', comment: null, step: 0 } },
      },
      { timestamps: false },
    );
    const [r1, r2] = await Promise.all([t.services.approvalSweep.run(), t.services.approvalSweep.run()]);
    expect(r1.recovered + r2.recovered).toBe(1);
    await settle();
    expect(await contractStatus(contractId)).toBe('approved');
    expect(latest(card!).replace_text).toBe('已通过');
    expect(toldRequester('demo-rep1').at(-1)).toContain('已通过');
  });
});

describe('timeouts and card refresh (sweep)', () => {
  const HOUR = 3_600_000;
  it('reminds a silent approver after 4 h, escalates to their leader after 24 h, all in the history; concurrent sweeps act once', async () => {
    const { approvalId } = await submitContract(30_000);
    const [card] = cardsTo('demo-manager', approvalId);
    const now = Date.now();
    const [r1, r2] = await Promise.all([t.services.approvalSweep.run(new Date(now + 5 * HOUR)), t.services.approvalSweep.run(new Date(now + 5 * HOUR))]);
    await settle();
    expect(r1.reminded + r2.reminded).toBeGreaterThanOrEqual(1);
    let a = await approval(approvalId);
    expect(a.history.filter((h: { action: string }) => h.action === 'remind')).toHaveLength(1);
    expect(noticesTo('demo-manager').filter((x) => x.includes('⏰') && x.includes(a.title))).toHaveLength(1);

    await Promise.all([t.services.approvalSweep.run(new Date(now + 25 * HOUR)), t.services.approvalSweep.run(new Date(now + 25 * HOUR))]);
    await settle();
    a = await approval(approvalId);
    const esc = a.history.filter((h: { action: string }) => h.action === 'escalate');
    expect(esc).toHaveLength(1);
    expect(esc[0].comment).toBe('张伟 超时未处理，转交 李娜');
    expect(latest(card!).replace_text).toBe('已超时转交');
    const [directorCard] = cardsTo('demo-director', approvalId);
    expect(directorCard).toBeDefined();
    expect(toldRequester('demo-rep1').at(-1)).toContain('已转交');
    // the manager can no longer decide; the director can
    const late = await t.http
      .post(`/api/v1/approvals/${approvalId}/decision`)
      .set(await as('demo-manager'))
      .send({ decision: 'approve' });
    expect(late.status).toBe(409);
    await click('demo-director', directorCard!, '同意');
    expect((await approval(approvalId)).status).toBe('approved');
    // the manager's card spent its code on "已超时转交": the final state comes as a short notice instead
    expect(latest(card!).replace_text).toBe('已超时转交');
    expect(noticesTo('demo-manager').at(-1)).toContain('已通过');
  });

  it('a request still pending after 7 days expires: the contract goes back to draft, the card says 已过期, the requester is told', async () => {
    const { approvalId, contractId } = await submitContract(35_000);
    const [card] = cardsTo('demo-manager', approvalId);
    const res = await t.services.approvalSweep.run(new Date(Date.now() + 169 * HOUR));
    expect(res.expired).toBeGreaterThanOrEqual(1);
    await settle();
    const a = await approval(approvalId);
    expect(a.status).toBe('expired');
    expect(a.history.at(-1).action).toBe('expire');
    expect(await contractStatus(contractId)).toBe('draft');
    expect(latest(card!).replace_text).toBe('已过期');
    expect(toldRequester('demo-rep1').at(-1)).toContain('已过期');
  });

  it('issues a fresh card before a still-pending card’s response code runs out, and retires the old one', async () => {
    const { approvalId } = await submitContract(40_000);
    const [old] = cardsTo('demo-manager', approvalId);
    // only the card refresh is due: push the step's start forward so no reminder or escalation fires
    await t.conn.model<Approval>('Approval').updateOne({ _id: approvalId }, { $set: { 'steps.0.startedAt': new Date(Date.now() + 100 * HOUR) } });
    const at = new Date(Date.now() + 67 * HOUR);
    // the domain's sweep has nothing to do; the bot's card refresh (its own job) re-issues the card, once
    await Promise.all([t.services.approvalSweep.run(at), t.services.approvalSweep.run(at)]);
    const [r1, r2] = await Promise.all([t.bot.approvals.refreshCards(at), t.bot.approvals.refreshCards(at)]);
    expect(r1 + r2).toBeGreaterThanOrEqual(1);
    await settle();
    const cards = cardsTo('demo-manager', approvalId);
    expect(cards).toHaveLength(2);
    expect(cards[1]!.task_id).not.toBe(old!.task_id);
    expect(latest(old!).replace_text).toBe('已重新发送，请在新卡片中处理');
    await click('demo-manager', cards[1]!, '同意');
    expect((await approval(approvalId)).status).toBe('approved');
    expect(latest(cards[1]!).replace_text).toBe('已通过');
  });
});
