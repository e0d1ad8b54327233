import { Types } from 'mongoose';
import pino from 'pino';
import type { ReminderPolicy } from '@crm/config';
import { ReminderScheduler, type ReminderSender, type SentTo } from '../../api/src/modules/reminder/reminder.scheduler';
import type { ReminderView } from '../../api/src/modules/reminder/reminder.service';
import { startTestApp, type TestApp } from '../helpers/test-app';
import type { Reminder } from '../../api/src/modules/reminder/reminder.model';
import type { User } from '../../api/src/modules/org/user.model';

// Monday 2026-11-23, Beijing time (+08:00).
const bj = (s: string) => new Date(`${s}+08:00`);
let clock = bj('2026-11-23T10:00');
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { crm: false, now: () => clock });
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.conn.model<Reminder>('Reminder').deleteMany({});
});

/** Records what the scheduler hands to chat (the port's far side is tested through the sandbox and WeCom). */
class RecordingSender implements ReminderSender {
  readonly cards: string[] = [];
  readonly summaries: string[][] = [];
  readonly digests: Array<{ userId: string; folded: number; dueToday: number }> = [];
  failNext = 0;
  /** Budget wait per user id (ms); the real one comes from the WeCom adapter's per-member windows. */
  readonly waits = new Map<string, number>();
  async waitMs(userId: Types.ObjectId) {
    return this.waits.get(String(userId)) ?? 0;
  }
  private readonly to = (userId: Types.ObjectId): SentTo => ({
    channel: 'sandbox',
    platformUserId: String(userId),
    messageId: null,
    taskId: `t${new Types.ObjectId().toHexString()}`,
    sentAt: clock,
  });
  private async jitter() {
    await new Promise((r) => setTimeout(r, Math.random() * 3));
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('errcode -1: system busy');
    }
  }
  async reminder(r: ReminderView) {
    await this.jitter();
    this.cards.push(String(r._id));
    return this.to(r.userId);
  }
  async summary(userId: Types.ObjectId, items: ReminderView[]) {
    await this.jitter();
    this.summaries.push(items.map((i) => String(i._id)));
    return this.to(userId);
  }
  async digest(userId: Types.ObjectId, content: { folded: unknown[]; dueToday: unknown[] }) {
    await this.jitter();
    this.digests.push({ userId: String(userId), folded: content.folded.length, dueToday: content.dueToday.length });
    return this.to(userId);
  }
}

function scheduler(sender: ReminderSender, workerId: string, policy: Partial<ReminderPolicy> = {}) {
  return new ReminderScheduler(t.services.reminders, sender, {
    policy: { ...t.config.reminders, ...policy },
    businessTz: t.config.businessTz,
    logger: pino({ level: 'silent' }),
    now: () => clock,
    workerId,
  });
}

async function due(count: number, at: Date, users: Types.ObjectId[]): Promise<Types.ObjectId[]> {
  const docs = Array.from({ length: count }, (_, i) => ({
    _id: new Types.ObjectId(),
    dedupeKey: `test:${new Types.ObjectId().toHexString()}`,
    kind: 'next-step',
    userId: users[i % users.length]!,
    dueAt: at,
    status: 'scheduled',
    title: `提醒 ${i}`,
    text: '回访',
    customerId: null,
    attempts: 0,
    leaseUntil: null,
    retryAt: null,
    delivery: null,
  }));
  await t.conn.model<Reminder>('Reminder').insertMany(docs);
  return docs.map((d) => d._id);
}

const users = (n: number) => Array.from({ length: n }, () => new Types.ObjectId());
const demoUser = async (login: string) => (await t.services.org.findActiveUserByPlatformId('wecom', login))!._id;
const statusCounts = async () => {
  const rows = await t.conn.model<Reminder>('Reminder').find({}, { status: 1 }).lean();
  return rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
};

describe('claiming: several workers, one send each', () => {
  it('two workers on one database claiming the same 1,000 due reminders send each exactly once', async () => {
    clock = bj('2026-11-23T10:00');
    const ids = await due(1000, bj('2026-11-23T09:30'), users(500));
    const a = new RecordingSender();
    const b = new RecordingSender();
    const noFold = { burstLimit: 1000 };
    await Promise.all([scheduler(a, 'A', noFold).tick(), scheduler(b, 'B', noFold).tick(), scheduler(a, 'A2', noFold).tick()]);
    const sent = [...a.cards, ...b.cards];
    expect(sent).toHaveLength(1000);
    expect(new Set(sent).size).toBe(1000);
    expect(new Set(sent)).toEqual(new Set(ids.map(String)));
    expect(await statusCounts()).toEqual({ sent: 1000 });
  });

  it('a worker that claims a batch and dies: every item is sent after the lease runs out, once', async () => {
    clock = bj('2026-11-23T10:00');
    await due(50, bj('2026-11-23T09:50'), users(50));
    const dead = await t.services.reminders.claimDue({ owner: 'dies', limit: 30, dueFrom: null });
    expect(dead).toHaveLength(30);
    const survivor = new RecordingSender();
    await scheduler(survivor, 'S').tick();
    expect(survivor.cards).toHaveLength(20); // the dead worker's 30 are still leased
    clock = new Date(clock.getTime() + t.config.reminders.scheduler.leaseMs + 1000);
    await scheduler(survivor, 'S').tick();
    expect(survivor.cards).toHaveLength(50);
    expect(new Set(survivor.cards).size).toBe(50);
    expect(await statusCounts()).toEqual({ sent: 50 });
  });

  it('a failed send is retried with backoff and its error kept; after the last attempt it ends failed, visibly', async () => {
    clock = bj('2026-11-23T10:00');
    const [id] = await due(1, bj('2026-11-23T09:59'), users(1));
    const sender = new RecordingSender();
    sender.failNext = 1;
    const s = scheduler(sender, 'R', { scheduler: { ...t.config.reminders.scheduler, maxAttempts: 3 } });
    expect((await s.tick()).failed).toBe(1);
    let r = await t.conn.model<Reminder>('Reminder').findById(id).lean();
    expect(r).toMatchObject({ status: 'scheduled', lastError: 'errcode -1: system busy', attempts: 1 });
    expect(r!.retryAt).toEqual(new Date(clock.getTime() + 60_000));
    expect((await s.tick()).claimed).toBe(0); // not before its retry time
    clock = new Date(clock.getTime() + 61_000);
    expect((await s.tick()).cards).toBe(1);
    expect((await t.conn.model<Reminder>('Reminder').findById(id).lean())!.status).toBe('sent');

    const [id2] = await due(1, clock, users(1));
    sender.failNext = 3;
    for (let i = 0; i < 3; i++) {
      await s.tick();
      clock = new Date(clock.getTime() + 10 * 60_000);
    }
    r = await t.conn.model<Reminder>('Reminder').findById(id2).lean();
    expect(r).toMatchObject({ status: 'failed', attempts: 3, lastError: 'errcode -1: system busy', outcome: '发送失败' });
  });
});

it('a person whose send budget is full waits (not counted as an attempt) while others are served; nothing is dropped', async () => {
  clock = bj('2026-11-23T10:00');
  const [busy, free] = users(2);
  const busyIds = await due(2, clock, [busy!]);
  await due(2, clock, [free!]);
  const sender = new RecordingSender();
  sender.waits.set(String(busy), 30_000);
  const pass = await scheduler(sender, 'D').tick();
  expect(pass).toMatchObject({ claimed: 4, cards: 2, deferred: 2 });
  const held = await t.conn
    .model<Reminder>('Reminder')
    .find({ _id: { $in: busyIds } })
    .lean();
  expect(held.map((r) => [r.status, r.attempts, r.retryAt])).toEqual([
    ['scheduled', 0, new Date(clock.getTime() + 30_000)],
    ['scheduled', 0, new Date(clock.getTime() + 30_000)],
  ]);
  sender.waits.clear();
  clock = new Date(clock.getTime() + 31_000);
  expect((await scheduler(sender, 'D').tick()).cards).toBe(2);
  expect(await statusCounts()).toEqual({ sent: 4 });
});

describe('quiet hours, working days, digests and bursts', () => {
  it('holds pushes in quiet hours (23:30 Beijing = 15:30 UTC) and folds them into the morning digest', async () => {
    const rep = await demoUser('demo-rep1');
    clock = new Date('2026-11-23T15:30:00Z'); // 23:30 in Beijing
    const [night] = await due(1, clock, [rep]);
    const sender = new RecordingSender();
    expect(await scheduler(sender, 'Q').tick()).toMatchObject({ claimed: 0 });
    clock = bj('2026-11-24T08:30'); // after quiet hours, before the digest: it waits for the digest
    expect(await scheduler(sender, 'Q').tick()).toMatchObject({ claimed: 0 });
    clock = bj('2026-11-24T09:00');
    await t.services.reminders.enqueueDigests();
    await t.services.reminders.enqueueDigests(); // a second worker doing the same: still one digest
    const pass = await scheduler(sender, 'Q').tick();
    expect(pass.digests).toBe(2); // the rep's, and their leader's (with the team section)
    expect(sender.cards).toEqual([]);
    const leader = (await t.conn.model<User>('User').findById(rep).lean())!.leaderId;
    expect(sender.digests.map((d) => d.userId).sort()).toEqual([String(rep), String(leader)].sort());
    expect(sender.digests.find((d) => d.userId === String(rep))).toEqual({ userId: String(rep), folded: 1, dueToday: 0 });
    const folded = await t.conn.model<Reminder>('Reminder').findById(night).lean();
    expect(folded).toMatchObject({ status: 'sent', delivery: { folded: true } });
  });

  it('nothing is pushed at the weekend; Monday’s digest carries it', async () => {
    clock = bj('2026-11-28T11:00'); // Saturday
    await due(2, clock, [await demoUser('demo-rep2')]);
    const sender = new RecordingSender();
    expect(await scheduler(sender, 'W').tick()).toMatchObject({ claimed: 0 });
    clock = bj('2026-11-30T09:00');
    await t.services.reminders.enqueueDigests();
    await scheduler(sender, 'W').tick();
    expect(sender.digests.map((d) => d.folded).sort()).toEqual([0, 2]); // the rep's two, and the leader's digest
    expect(sender.cards).toEqual([]);
  });

  it('if no digest took them, overnight reminders go out half an hour after the digest time', async () => {
    clock = bj('2026-11-25T07:00');
    await due(1, clock, users(1));
    const sender = new RecordingSender();
    clock = bj('2026-11-25T09:29');
    expect((await scheduler(sender, 'L').tick()).claimed).toBe(0);
    clock = bj('2026-11-25T09:31');
    expect((await scheduler(sender, 'L').tick()).cards).toBe(1);
  });

  it('a burst for one person becomes one summary card; a small number stays individual cards', async () => {
    clock = bj('2026-11-25T10:00');
    const [many, few] = users(2);
    await due(12, clock, [many!]);
    await due(2, clock, [few!]);
    const sender = new RecordingSender();
    const pass = await scheduler(sender, 'B').tick();
    expect(pass).toMatchObject({ claimed: 14, summaries: 1, cards: 2 });
    expect(sender.summaries.map((s) => s.length)).toEqual([12]);
    expect(await statusCounts()).toEqual({ sent: 14 });
  });
});
