import { Types } from 'mongoose';
import { startTestApp, type TestApp } from '../helpers/test-app';
import type { FollowUp } from '../../api/src/modules/follow-up/follow-up.model';

/**
 * The date reader in the chat loop: a confirmation says when a reminder in quiet hours or on a weekend will
 * really arrive, and a day already gone this week ("这周二" on a Wednesday) is asked about, never scheduled.
 * Default policy: quiet 21:00–08:00, Monday–Friday, digest 09:00, Beijing.
 */
const bj = (s: string) => new Date(`${s}+08:00`);
let clock = bj('2026-11-23T15:00');
let t: TestApp;
let rep1: string;
let zhangsanId: string;

beforeAll(async () => {
  t = await startTestApp({}, { crm: true, now: () => clock });
  rep1 = await t.login('demo-rep1');
  const found = await t.http.get('/api/v1/customers?q=zs').set('authorization', rep1);
  zhangsanId = found.body.items.find((c: { name: string }) => c.name === '张三').id;
});
afterAll(() => t.close());

const lastText = async () => {
  const out = (await t.bot.sandbox!.conversation('demo-rep1')).filter((m) => m.direction === 'out');
  // a confirmation is a card (撤销 / 改时间 / 换客户): its title and description
  const m = out.at(-1)!.message as { text?: string; card?: { title: string; description?: string } };
  return m.text ?? (m.card ? `${m.card.title}\n${m.card.description ?? ''}` : '');
};
const say = (text: string) => t.http.post('/sandbox/api/messages').send({ user: 'demo-rep1', text }).expect(200);

/** A reminder about 张三 that has just gone out, so the next message is read as its follow-up. */
async function reminderJustSent(at: Date): Promise<void> {
  clock = at;
  await t.http
    .post('/api/v1/follow-ups')
    .set('authorization', rep1)
    .send({ customerId: zhangsanId, type: 'call', content: '电话沟通需求', nextStep: { text: '回访', dueAt: at.toISOString() } })
    .expect(201);
  await t.scheduler().tick();
}

const loggedNext = async (content: string) => (await t.conn.model<FollowUp>('FollowUp').findOne({ content }).lean().exec())!;

it('a weekend reminder is kept, and the confirmation says it arrives with Monday’s digest; 改到 a quiet hour says so too', async () => {
  await reminderJustSent(bj('2026-11-23T15:00')); // Monday
  await say('电话沟通了，客户说周末再联系');
  const logged = await loggedNext('电话沟通了，客户说周末再联系');
  expect(logged.nextStep!.dueAt).toEqual(bj('2026-11-28T10:00')); // kept on Saturday 10:00
  expect(await lastText()).toContain('下次提醒：11月28日（周六）10:00（周六不推送，提醒会在 11月30日（周一）09:00 随早间汇总送达）。');

  await say('改到 今晚10点');
  expect((await loggedNext('电话沟通了，客户说周末再联系')).nextStep!.dueAt).toEqual(bj('2026-11-23T22:00'));
  expect(await lastText()).toContain(
    '张三（上海星辰信息科技有限公司） 的下次提醒改为 11月23日（周一）22:00（21:00–08:00 免打扰，提醒会在 11月24日（周二）09:00 随早间汇总送达）。',
  );

  await say('改到 明天下午3点');
  expect(await lastText()).toContain('张三（上海星辰信息科技有限公司） 的下次提醒改为 11月24日（周二）15:00。');
});

it('a day already gone this week is asked about, not scheduled; the suggested answer works', async () => {
  await reminderJustSent(bj('2026-11-25T15:00')); // Wednesday
  await say('客户说这周二给答复');
  const logged = await loggedNext('客户说这周二给答复');
  expect(logged.customerId).toEqual(new Types.ObjectId(zhangsanId));
  expect(logged.nextStep ?? null).toBeNull();
  expect(await lastText()).toContain('这周二已经过了，是下周二吗？\n是的话回复“改到 12月1日（周二）09:00”。');

  await say('改到 这周一');
  expect(await lastText()).toBe('这周一已经过了，是下周一吗？\n是的话回复“改到 11月30日（周一）09:00”。');
  expect((await loggedNext('客户说这周二给答复')).nextStep ?? null).toBeNull();

  await say('改到 12月1日（周二）09:00');
  expect((await loggedNext('客户说这周二给答复')).nextStep!.dueAt).toEqual(bj('2026-12-01T09:00'));
  expect(await lastText()).toContain('张三（上海星辰信息科技有限公司） 的下次提醒改为 12月1日（周二）09:00。');
});
