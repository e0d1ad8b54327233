import { FakeWeComServer } from '../fakes/fake-wecom-server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { cardClickXml, sealedPost, textXml, WECOM_TEST_APP, WECOM_TEST_ENV } from '../helpers/wecom-packets';
import type { Approval } from '../../api/src/modules/approval/approval.model';

/**
 * Approvals as approvers and requesters meet them (issue #15): 查看详情 opens the page it names, cards say
 * why each step is there, what the requester wrote and what changed since a rejection; past approvers'
 * cards follow every step; the requester's notices link the request and offer 撤回 / 修改后重新提交.
 */

type Button = { key: string; text: string; type?: number; url?: string };
type TemplateCard = {
  task_id: string;
  main_title: { title: string; desc?: string };
  sub_title_text?: string;
  horizontal_content_list?: Array<{ keyname: string; value: string }>;
  card_action?: { type: number; url?: string };
  button_list: Button[];
  replace_text?: string;
};

describe('approval cards and the requester, through WeCom', () => {
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
      .send({ name: '周明', company: '苏州明远精密机械有限公司', source: '官网', contacts: [{ name: '周明', phones: ['13700002222'] }] });
    customerId = c.body.id;
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
  const cards = (user: string, approvalId: string, prefix = 'apv-'): TemplateCard[] =>
    fake
      .to(user)
      .filter((d) => d.msgtype === 'template_card')
      .map((d) => d.body.template_card as TemplateCard)
      .filter((c) => c.task_id.startsWith(`${prefix}${approvalId}`));
  const latest = (card: TemplateCard): TemplateCard =>
    (fake.updates.filter((u) => u.template_card.task_id === card.task_id).at(-1)?.template_card as TemplateCard | undefined) ?? card;
  const field = (card: TemplateCard, key: string) => card.horizontal_content_list?.find((f) => f.keyname === key)?.value;
  async function click(user: string, card: TemplateCard, text: string) {
    const key = card.button_list.find((b) => b.text === text)!.key;
    const p = sealedPost(cardClickXml(user, key, card.task_id, fake.issueClickResponseCode()));
    expect((await t.http.post('/bot/wecom/callback').query(p.query).set('Content-Type', 'text/xml').send(p.body)).status).toBe(200);
    await settle();
  }
  async function say(user: string, text: string) {
    const p = sealedPost(textXml(user, text));
    await t.http.post('/bot/wecom/callback').query(p.query).set('Content-Type', 'text/xml').send(p.body);
    await settle();
  }
  async function contract(amountYuan: number, discountPercent = 0): Promise<string> {
    n += 1;
    const c = await t.http
      .post('/api/v1/contracts')
      .set(await as('demo-rep1'))
      .send({ customerId, number: `HT-RQ-${n}`, title: `精密设备合同${n}`, amountFen: amountYuan * 100, discountPercent });
    expect(c.status).toBe(201);
    return c.body.id as string;
  }
  async function submit(contractId: string, comment?: string) {
    const a = await t.http
      .post(`/api/v1/contracts/${contractId}/submit`)
      .set(await as('demo-rep1'))
      .send(comment ? { comment } : {});
    expect(a.status).toBe(201);
    await settle();
    return a.body as { id: string; note: string | null; steps: Array<{ name: string; reason: string | null }>; resubmission: unknown };
  }

  it('查看详情 opens /app/#/pages/approvals/detail (a WeCom url button, not a callback), and so does the card itself', async () => {
    const a = await submit(await contract(20_000));
    const [card] = cards('demo-manager', a.id);
    const view = card!.button_list.find((b) => b.text === '查看详情')!;
    const page = `/app/#/pages/approvals/detail?id=${a.id}`;
    expect(view.type).toBe(1);
    expect(view.url).toBe(`${t.config.http.publicBaseUrl}${page}`);
    expect(card!.card_action).toEqual({ type: 1, url: `${t.config.http.publicBaseUrl}${page}` });
  });

  it('the card says what the requester wrote, why each step is in the route, money as ¥120万 and the current step in words', async () => {
    const a = await submit(await contract(1_200_000, 18), '客户年底预算，需本月签');
    expect(a.note).toBe('客户年底预算，需本月签');
    expect(Object.fromEntries(a.steps.map((s) => [s.name, s.reason]))).toEqual({
      部门经理: '默认（所有合同）',
      销售总监: '金额 ¥120万 ≥ ¥10万',
      法务: '金额 ¥120万 ≥ ¥50万',
      财务: '折扣 18% > 15%',
      总经理: '金额 ¥120万 ≥ ¥100万',
    });
    const [card] = cards('demo-manager', a.id);
    expect(field(card!, '申请说明')).toBe('客户年底预算，需本月签');
    expect(field(card!, '金额')).toBe('¥120万（折扣 18%）');
    expect(field(card!, '流程')).toMatch(/^张伟 审批中 → 李娜 未开始/);
    expect(card!.sub_title_text).toContain('财务：折扣 18% > 15%');
    expect(card!.sub_title_text).toContain('销售总监：金额 ¥120万 ≥ ¥10万');
    expect(JSON.stringify(card)).not.toContain('…');
    expect(JSON.stringify(card)).not.toContain('待处理');
  });

  it('a resubmission says so on the card: who rejected it, why, and what changed since', async () => {
    const contractId = await contract(300_000);
    const first = await submit(contractId, '首次提交');
    const [card] = cards('demo-manager', first.id);
    await click('demo-manager', card!, '驳回');
    await say('demo-manager', '价格低于底线');
    expect(latest(card!).replace_text).toBe('已驳回');

    // the requester is offered 修改后重新提交, which opens the approval (showing the rejection) to resubmit
    const told = cards('demo-rep1', first.id, 'apr-').at(-1)!;
    expect(told.main_title.title).toBe('合同审批：已驳回');
    expect(JSON.stringify(told)).toContain('被 张伟 驳回：价格低于底线');
    const again = told.button_list.find((b) => b.text === '修改后重新提交')!;
    expect(again).toMatchObject({ type: 1, url: `${t.config.http.publicBaseUrl}/app/#/pages/approvals/detail?id=${first.id}&resubmit=1` });

    const patched = await t.http
      .patch(`/api/v1/contracts/${contractId}`)
      .set(await as('demo-rep1'))
      .send({ amountFen: 250_000_00 });
    expect(patched.status).toBe(200);
    const second = await submit(contractId, '已按底价调整');
    expect(second.resubmission).toEqual({
      previousId: first.id,
      previousStatus: 'rejected',
      rejectedBy: '张伟',
      reason: '价格低于底线',
      changes: [
        { label: '金额', before: '¥30万', after: '¥25万' },
        { label: '申请说明', before: '首次提交', after: '已按底价调整' },
      ],
    });
    const [card2] = cards('demo-manager', second.id);
    expect(card2!.sub_title_text).toContain('重新提交：上次 张伟 驳回「价格低于底线」；改动：金额 ¥30万→¥25万；申请说明 首次提交→已按底价调整');
  });

  it('a rejection’s footer is the danger style; the requester’s cards link the request and 撤回 withdraws it from chat', async () => {
    const a = await submit(await contract(30_000));
    const told = cards('demo-rep1', a.id, 'apr-');
    expect(told).toHaveLength(1);
    expect(told[0]!.card_action).toEqual({ type: 1, url: `${t.config.http.publicBaseUrl}/app/#/pages/approvals/detail?id=${a.id}` });
    expect(told[0]!.button_list.map((b) => b.text)).toEqual(['撤回', '查看详情']);
    const [managerCard] = cards('demo-manager', a.id);

    await click('demo-rep1', told[0]!, '撤回');
    const after = (await t.http.get(`/api/v1/approvals/${a.id}`).set(await as('demo-rep1'))).body;
    expect(after.status).toBe('withdrawn');
    expect(latest(told[0]!).replace_text).toBe('已撤回');
    expect(latest(managerCard!).replace_text).toBe('已撤回');
    // a rejected one, through the sandbox-neutral card model: the footer style travels with the card
    const b = await submit(await contract(31_000));
    const [card] = cards('demo-manager', b.id);
    await click('demo-manager', card!, '驳回');
    await say('demo-manager', '条款不清');
    const row = await t.conn.model<Approval>('Approval').findById(b.id).lean();
    const { approvalCard } = await import('../../bot/src/approvals/approval-cards');
    const manager = (await t.services.org.findActiveUserByPlatformId('wecom', 'demo-manager'))!;
    expect(approvalCard(row as never, manager._id, 'x', (p) => p)).toMatchObject({ doneText: '已驳回', doneStyle: 'danger' });
  });
});

describe('past approvers’ cards follow every step (sandbox: cards redraw without codes)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { crm: true });
  });
  afterAll(() => t.close());

  type SandboxCard = { taskId: string; title: string; fields: Array<{ label: string; value: string }>; doneText?: string; doneStyle?: string };
  const cardOf = async (user: string, title: string): Promise<SandboxCard> => {
    const res = await t.http.get(`/sandbox/api/conversation?user=${user}`);
    const items = res.body.items as Array<{ message: { kind: string; card?: SandboxCard & { description?: string } } }>;
    return items.filter((m) => m.message.kind === 'card' && m.message.card!.description?.includes(title) && m.message.card!.taskId.startsWith('apv-')).at(-1)!
      .message.card!;
  };
  const route = (c: SandboxCard) => c.fields.find((f) => f.label === '流程')!.value;

  it('the manager’s card shows the director’s and legal’s decisions as they happen, and a rejection in red', async () => {
    const rep = { Authorization: await t.login('demo-rep1') };
    const customers = await t.http.get('/api/v1/customers?limit=1').set(rep);
    const c = await t.http
      .post('/api/v1/contracts')
      .set(rep)
      .send({ customerId: customers.body.items[0].id, number: 'HT-SB-1', title: '逐步重绘合同', amountFen: 600_000_00, discountPercent: 0 });
    const a = await t.http.post(`/api/v1/contracts/${c.body.id}/submit`).set(rep).send({});
    const decide = async (login: string, decision: 'approve' | 'reject', comment?: string) => {
      const res = await t.http
        .post(`/api/v1/approvals/${a.body.id}/decision`)
        .set({ Authorization: await t.login(login) })
        .send({ decision, ...(comment ? { comment } : {}) });
      expect(res.status).toBe(200);
      await t.services.approvals.settled();
    };
    await t.services.approvals.settled();
    await decide('demo-manager', 'approve');
    expect(route(await cardOf('demo-manager', '逐步重绘合同'))).toBe('张伟 已同意 → 李娜 审批中 → 吴昊 未开始');
    await decide('demo-director', 'approve');
    // the manager decided two steps ago: their card still follows
    expect(route(await cardOf('demo-manager', '逐步重绘合同'))).toBe('张伟 已同意 → 李娜 已同意 → 吴昊 审批中');
    expect((await cardOf('demo-manager', '逐步重绘合同')).doneText).toBe('你已同意');
    await decide('demo-legal', 'reject', '违约条款缺失');
    for (const who of ['demo-manager', 'demo-director', 'demo-legal']) {
      const card = await cardOf(who, '逐步重绘合同');
      expect(card).toMatchObject({ doneText: '已驳回', doneStyle: 'danger' });
      expect(route(card)).toBe('张伟 已同意 → 李娜 已同意 → 吴昊 已驳回');
    }
  });
});
