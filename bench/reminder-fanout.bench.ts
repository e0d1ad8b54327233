/**
 * Issue #5: fan out 10,000 due reminders for 2,000 people through the fake WeCom server, which enforces
 * WeCom's real per-member limits (30 a minute, 1,000 an hour; beyond them messages vanish silently).
 * The load is skewed as a real company's is: 1,900 people with 2 reminders each, 100 with 62 each.
 * Two runs:
 *  - product default (bursts folded into one summary card per person): time to drain;
 *  - folding off (every reminder its own card): the heavy people need at least 120 s by WeCom's limits
 *    (30 at once, 30 more a minute later, the last 2 a minute after that): drain time vs that minimum.
 * Both report peak memory (RSS) and check that no message was dropped by the fake or sent twice.
 */
import pino from 'pino';
import { Types } from 'mongoose';
import { loadConfig, type ReminderPolicy } from '@crm/config';
import type { Reminder } from '../api/src/modules/reminder/reminder.model';
import { ReminderScheduler } from '@crm/api';
import { buildSystem } from '@crm/server';
import { FakeWeComServer } from '../tests/fakes/fake-wecom-server';
import { WECOM_TEST_APP, WECOM_TEST_ENV } from '../tests/helpers/wecom-packets';
import { openBenchDatabase } from './bench-db';

const LIGHT = { people: 1900, each: 2 };
const HEAVY = { people: 100, each: 62 };
const TOTAL = LIGHT.people * LIGHT.each + HEAVY.people * HEAVY.each;
/** What WeCom's per-member limits allow at best for the heavy people: messages 61–62 go out two minutes after the first. */
const LIMIT_MINIMUM_MS = Math.floor((HEAVY.each - 1) / 30) * 60_000;

export async function run(log: (line: string) => void): Promise<void> {
  const env = await openBenchDatabase('crm_bench_reminders', log);
  const fake = await new FakeWeComServer(WECOM_TEST_APP).start();
  try {
    log(`database: ${env.db.description}`);
    const config = loadConfig({ ...WECOM_TEST_ENV(fake.baseUrl), NODE_ENV: 'test', QUIET_HOURS: 'off', WORKING_DAYS: '1-7' });
    const { services, bot } = buildSystem(config, { connection: env.conn, databaseKind: env.db.kind, logger: pino({ level: 'silent' }) });
    const users = Array.from({ length: LIGHT.people + HEAVY.people }, (_, i) => ({
      _id: new Types.ObjectId(),
      name: `员工${i}`,
      identities: { wecom: `bench-u${i}` },
      departmentIds: [],
      leaderId: null,
      leaderChain: [],
      roles: ['rep'],
      dataScope: 'own',
      status: 'active',
      createdAt: new Date(),
      updatedAt: new Date(),
    }));
    await env.conn.collection('users').insertMany(users);
    log(`${users.length} people, ${TOTAL} reminders (${LIGHT.people} × ${LIGHT.each}, ${HEAVY.people} × ${HEAVY.each}), due now`);

    for (const mode of [
      { name: 'default (bursts folded)', burstLimit: config.reminders.burstLimit },
      { name: 'folding off (one card each)', burstLimit: 1_000_000 },
    ]) {
      await env.conn.model<Reminder>('Reminder').deleteMany({});
      fake.delivered.length = 0;
      fake.dropped = 0;
      const now = new Date();
      const docs = users.flatMap((u, i) =>
        Array.from({ length: i < LIGHT.people ? LIGHT.each : HEAVY.each }, (_, k) => ({
          dedupeKey: `bench:${String(u._id)}:${k}:${mode.burstLimit}`,
          kind: 'next-step',
          userId: u._id,
          dueAt: new Date(now.getTime() - 1000),
          status: 'scheduled',
          title: `跟进提醒：客户${k}`,
          text: '回访',
          customerId: null,
          opportunityId: null,
          followUpId: null,
          attempts: 0,
          leaseUntil: null,
          retryAt: null,
          delivery: null,
          createdAt: now,
          updatedAt: now,
        })),
      );
      for (let i = 0; i < docs.length; i += 2000) await env.conn.collection('reminders').insertMany(docs.slice(i, i + 2000));

      const policy: ReminderPolicy = { ...config.reminders, burstLimit: mode.burstLimit };
      const scheduler = new ReminderScheduler(services.reminders, bot.reminderSender, {
        policy,
        businessTz: config.businessTz,
        logger: pino({ level: 'silent' }),
        now: () => new Date(),
        workerId: 'bench',
      });
      let peakRss = process.memoryUsage().rss;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
      const started = Date.now();
      let firstPass = 0;
      for (;;) {
        await scheduler.tick();
        if (!firstPass) firstPass = Date.now() - started;
        const left = await env.conn.model<Reminder>('Reminder').countDocuments({ status: { $in: ['scheduled', 'sending'] } });
        if (!left) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      const drainMs = Date.now() - started;
      clearInterval(sampler);
      const states = await env.conn.model<Reminder>('Reminder').aggregate<{ _id: string; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }]);
      const taskIds = fake.delivered.map((d) => (d.body.template_card as { task_id?: string } | undefined)?.task_id);
      const doubled = taskIds.length - new Set(taskIds).size;
      log(`\n### ${mode.name}`);
      log(`messages delivered: ${fake.delivered.length}; dropped by WeCom's limits: ${fake.dropped}; same card twice: ${doubled}`);
      log(`reminder states: ${states.map((s) => `${s._id} ${s.n}`).join(', ')}`);
      log(`first pass: ${(firstPass / 1000).toFixed(1)} s; drained in ${(drainMs / 1000).toFixed(1)} s`);
      if (mode.burstLimit < 1000) log(`(folded, every person gets at most ${LIGHT.each} messages, so WeCom’s limits do not bind: the floor is throughput)`);
      else
        log(
          `minimum WeCom's limits allow: ${(LIMIT_MINIMUM_MS / 1000).toFixed(0)} s → ratio ${(drainMs / LIMIT_MINIMUM_MS).toFixed(2)} (1.00 would be perfect)`,
        );
      log(`peak RSS: ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
    }
  } finally {
    await fake.stop();
    await env.close();
  }
}
