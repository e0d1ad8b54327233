import { randomUUID } from 'node:crypto';
import { TOPIC_CARD } from '../../bot/src/channels/dingtalk/dingtalk-stream.transport';
import { FakeDingTalkServer } from '../fakes/fake-dingtalk-server';
import { startTestApp, type TestApp } from '../helpers/test-app';

const APP = { clientId: 'dingtestapp', clientSecret: 'dingtestsecret', robotCode: 'dingtestrobot' };

function frame(topic: string, data: Record<string, unknown>) {
  return JSON.stringify({
    specVersion: '1.0',
    type: 'CALLBACK',
    headers: { topic, messageId: randomUUID(), contentType: 'application/json', time: String(Date.now()), appId: 'x', connectionId: 'c' },
    data: JSON.stringify(data),
  });
}

let fake: FakeDingTalkServer;
let t: TestApp;
beforeAll(async () => {
  fake = await new FakeDingTalkServer(APP).start();
  t = await startTestApp(
    {
      DINGTALK_CLIENT_ID: APP.clientId,
      DINGTALK_CLIENT_SECRET: APP.clientSecret,
      DINGTALK_ROBOT_CODE: APP.robotCode,
      DINGTALK_API_BASE: fake.baseUrl,
      DINGTALK_CARD_TEMPLATE_ID: 'crm-card.schema',
    },
    { crm: true },
  );
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});

/** Bot work, then the approval effects it started (cards and notices run in the background). */
async function settle() {
  await t.bot.inFlight.drain();
  await t.services.approvals.settled();
  await t.bot.inFlight.drain();
}

const cardsOf = (user: string, approvalId: string) => [...fake.cards.entries()].filter(([id, c]) => c.userId === user && id.includes(approvalId));

describe('approval cards on DingTalk (interactive cards updated by outTrackId, no response code)', () => {
  it('manager taps 同意 on the card, the director decides in the API; both cards end as 已通过, the requester is told', async () => {
    const rep = { Authorization: await t.login('demo-rep1') };
    const customers = await t.http.get('/api/v1/customers?limit=1').set(rep);
    const c = await t.http
      .post('/api/v1/contracts')
      .set(rep)
      .send({ customerId: customers.body.items[0].id, number: 'HT-DD-1', title: '钉钉合同', amountFen: 150_000_00, discountPercent: 0 });
    const a = await t.http.post(`/api/v1/contracts/${c.body.id}/submit`).set(rep).send({});
    await settle();
    const [managerTrack, managerCard] = cardsOf('demo-manager', a.body.id)[0]!;
    const ok = (JSON.parse(managerCard.cardParamMap.buttons!) as Array<{ key: string; text: string }>).find((b) => b.text === '同意')!;
    t.bot.dingtalkStream!.client.onDownStream(
      frame(TOPIC_CARD, {
        userId: 'demo-manager',
        outTrackId: managerTrack,
        type: 'actionCallback',
        content: JSON.stringify({ cardPrivateData: { actionIds: ['ok'], params: { key: ok.key } } }),
      }),
    );
    await settle();
    expect(fake.cards.get(managerTrack)!.cardParamMap.doneText).toBe('你已同意');
    const [directorTrack] = cardsOf('demo-director', a.body.id)[0]!;
    const res = await t.http
      .post(`/api/v1/approvals/${a.body.id}/decision`)
      .set({ Authorization: await t.login('demo-director') })
      .send({ decision: 'approve', comment: '同意' });
    expect(res.body.status).toBe('approved');
    await settle();
    expect(fake.cards.get(managerTrack)!.cardParamMap.doneText).toBe('已通过');
    expect(fake.cards.get(directorTrack)!.cardParamMap.doneText).toBe('已通过');
    // the requester is told with a card that links the request
    const told = cardsOf('demo-rep1', a.body.id).at(-1)![1].cardParamMap;
    expect(told.title).toBe('合同审批：已通过');
    expect(told.url).toContain(`/app/#/pages/approvals/detail?id=${a.body.id}`);
  });
});
