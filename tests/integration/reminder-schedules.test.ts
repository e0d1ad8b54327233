import { Types } from 'mongoose';
import pino from 'pino';
import type { ReminderPolicy } from '@crm/config';
import { jobLeaseModel, type JobLeasePort } from '../../api/src/db/job-lease';
import { DIGEST_JOB, ReminderScheduler, type ReminderSender, type SentTo } from '../../api/src/modules/reminder/reminder.scheduler';
import type { ReminderService, ReminderView } from '../../api/src/modules/reminder/reminder.service';
import { startTestApp, type TestApp } from '../helpers/test-app';
import type { Reminder } from '../../api/src/modules/reminder/reminder.model';
import type { User } from '../../api/src/modules/org/user.model';

// Monday 2026-11-23, Beijing time (+08:00); the digest is at 09:00 on working days.
const bj = (s: string) => new Date(`${s}+08:00`);
let clock = bj('2026-11-23T09:40');
let t: TestApp;
let reps: Types.ObjectId[];
beforeAll(async () => {
  t = await startTestApp({}, { crm: false, now: () => clock });
  reps = (await t.conn.model<User>('User').find({ roles: 'rep', status: 'active' }, { _id: 1 }).sort({ _id: 1 }).lean().exec()).map((u) => u._id);
  expect(reps.length).toBeGreaterThanOrEqual(2);
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.conn.model<Reminder>('Reminder').deleteMany({});
  await jobLeaseModel(t.conn).deleteMany({});
});

/** Records digests and cards; `gate` holds card sends until released (a slow pass). */
class RecordingSender implements ReminderSender {
  readonly digests: string[] = [];
  readonly cards: string[] = [];
  gate: Promise<void> | null = null;
  private readonly to = (userId: Types.ObjectId): SentTo => ({
    channel: 'sandbox',
    platformUserId: String(userId),
    messageId: null,
    taskId: null,
    sentAt: clock,
  });
  async reminder(r: ReminderView) {
    if (this.gate) await this.gate;
    this.cards.push(String(r._id));
    return this.to(r.userId);
  }
  async summary(userId: Types.ObjectId) {
    return this.to(userId);
  }
  async digest(userId: Types.ObjectId) {
    await new Promise((r) => setTimeout(r, Math.random() * 3));
    this.digests.push(String(userId));
    return this.to(userId);
  }
}

function scheduler(
  sender: ReminderSender,
  workerId: string,
  scheduler: Partial<ReminderPolicy['scheduler']> = {},
  extra: { leases?: JobLeasePort; logger?: pino.Logger; service?: ReminderService } = {},
) {
  return new ReminderScheduler(extra.service ?? t.services.reminders, sender, {
    policy: { ...t.config.reminders, scheduler: { ...t.config.reminders.scheduler, ...scheduler } },
    businessTz: t.config.businessTz,
    logger: extra.logger ?? pino({ level: 'silent' }),
    now: () => clock,
    workerId,
    leases: extra.leases,
  });
}

/** A next-step reminder for each user, due at `at`. */
async function dueFor(users: Types.ObjectId[], at: Date): Promise<void> {
  await t.conn.model<Reminder>('Reminder').insertMany(
    users.map((userId) => ({
      dedupeKey: `test:${new Types.ObjectId().toHexString()}`,
      kind: 'next-step',
      userId,
      dueAt: at,
      status: 'scheduled',
      title: '跟进：测试客户',
      text: '回电话',
      sourceVersion: '1',
    })),
  );
}

const counts = (ids: string[]) => ids.reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map<string, number>());

describe('the morning digest: its own lease, a catch-up, never twice', () => {
  it('a server started at 09:40 on a working day still sends that day’s digest, once', async () => {
    clock = bj('2026-11-23T09:40');
    await dueFor(reps, bj('2026-11-23T15:00'));
    const sender = new RecordingSender();
    const s = scheduler(sender, 'late-starter', { tickMs: 20 });
    s.start();
    for (let i = 0; i < 200 && !reps.every((r) => sender.digests.includes(String(r))); i++) await new Promise((r) => setTimeout(r, 20));
    await s.stop();
    // a few more passes later the same day add nothing
    for (let i = 0; i < 3; i++) await s.pass();
    for (const r of reps) expect(counts(sender.digests).get(String(r))).toBe(1);
    expect([...counts(sender.digests).values()].every((n) => n === 1)).toBe(true);
    expect(await jobLeaseModel(t.conn).findById(DIGEST_JOB).lean().exec()).toMatchObject({ doneKey: '2026-11-23', holder: null });
  });

  it('two servers passing at the same time: every person gets one digest', async () => {
    clock = bj('2026-11-23T09:00');
    await dueFor(reps, bj('2026-11-23T16:00'));
    const [sa, sb] = [new RecordingSender(), new RecordingSender()];
    const [a, b] = [scheduler(sa, 'server-a'), scheduler(sb, 'server-b')];
    for (let round = 0; round < 4; round++) await Promise.all([a.pass(), b.pass(), a.pass(), b.pass()]);
    const all = counts([...sa.digests, ...sb.digests]);
    for (const r of reps) expect(all.get(String(r))).toBe(1);
    expect([...all.values()].every((n) => n === 1)).toBe(true);
  });

  it('a pass still running at 09:00 (the old collision) does not cost the digest', async () => {
    clock = bj('2026-11-23T08:59:30');
    await dueFor([reps[0]!], bj('2026-11-23T08:59'));
    await dueFor(reps, bj('2026-11-23T17:00'));
    const sender = new RecordingSender();
    let open!: () => void;
    sender.gate = new Promise((r) => (open = r));
    const s = scheduler(sender, 'busy');
    const slow = s.pass(); // sending the 08:59 card, held
    await new Promise((r) => setTimeout(r, 50));
    clock = bj('2026-11-23T09:00:05');
    await s.pass(); // the pass is busy: returns at once
    open();
    await slow;
    await s.pass();
    expect(sender.cards).toHaveLength(1);
    for (const r of reps) expect(counts(sender.digests).get(String(r))).toBe(1);
  });

  it.each([
    ['Monday 08:59, before the digest time', false, '2026-11-23T08:59'],
    ['Monday 09:00', true, '2026-11-23T09:00'],
    ['Monday 20:30, still deliverable', true, '2026-11-23T20:30'],
    ['Monday 21:30, quiet hours', false, '2026-11-23T21:30'],
    ['Saturday 10:00', false, '2026-11-28T10:00'],
  ])('%s: digest enqueued = %s', async (_name, expected, at) => {
    clock = bj(at);
    await dueFor(reps, bj('2026-11-23T12:00'));
    expect(await scheduler(new RecordingSender(), 'w').digestIfDue()).toBe(expected);
  });
});

describe('a database outage: back-off without an error line per pass', () => {
  const unavailable = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), { name: 'MongoServerSelectionError' });

  function failing(kind: 'db' | 'bug') {
    const state = { down: true, calls: 0 };
    const fail = () => {
      state.calls += 1;
      if (state.down) throw kind === 'db' ? unavailable() : new TypeError('x is undefined');
    };
    const service = {
      model: t.conn.model<Reminder>('Reminder'),
      claimDue: async () => {
        fail();
        return [];
      },
      enqueueDigests: async () => 0,
      runPolicies: async () => ({ stalled: 0, cold: 0 }),
    } as unknown as ReminderService;
    const leases: JobLeasePort = {
      acquire: async () => (fail(), true),
      release: async () => undefined,
      isDone: async () => (fail(), true),
      markDone: async () => undefined,
    };
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as { level: number; msg: string }) });
    return { state, service, leases, lines, logger };
  }

  it('backs off (doubling to 60 s), warns once when it starts and logs once when the database is back', async () => {
    clock = bj('2026-11-23T10:00');
    const f = failing('db');
    const s = scheduler(new RecordingSender(), 'w', { tickMs: 5_000 }, f);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) waits.push(await s.pass());
    f.state.down = false;
    waits.push(await s.pass(), await s.pass());
    expect(waits).toEqual([10_000, 20_000, 40_000, 60_000, 60_000, 60_000, 5_000, 5_000]);
    expect(f.lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'database unavailable: the reminder scheduler backs off until it answers'],
      [30, 'database available again: the reminder scheduler resumed'],
    ]);
    expect(f.lines[1]).toMatchObject({ failedPasses: 6 });
  });

  it('any other failure is an error every time, without back-off', async () => {
    clock = bj('2026-11-23T10:00');
    const f = failing('bug');
    const s = scheduler(new RecordingSender(), 'w', { tickMs: 5_000 }, f);
    const waits = [await s.pass(), await s.pass()];
    expect(waits).toEqual([5_000, 5_000]);
    expect(f.lines.map((l) => [l.level, l.msg])).toEqual([
      [50, 'reminder pass failed'],
      [50, 'reminder pass failed'],
    ]);
  });
});
