/**
 * Approval decisions (issues #6 and #12), 5 approvers per approval (a 1,000,000 元 contract with a 20%
 * discount: manager → director → legal → finance → GM), decisions going in as card taps do (the click's
 * fresh response code) through ApprovalService.decide — what POST /approvals/:id/decision runs.
 *
 * 1. WeCom answering at once: the decision's answer time, and the time from the decision to every affected
 *    card updated and every notice sent (the background effects settled).
 * 2. WeCom answering every call after 3 s: the decision's answer time (target p95 < 100 ms: it commits and
 *    answers; cards and notices run in the background), and every card still redrawn once they settle.
 */
import type { Actor, RequestMeta } from '../api/src/context';
import { openWeComBench } from './bench-db';

const APPROVALS = 40;
const SLOW_APPROVALS = 10;
const SLOW_MS = 3_000;
const APPROVERS = ['demo-manager', 'demo-director', 'demo-legal', 'demo-finance', 'demo-gm'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

export async function run(log: (line: string) => void): Promise<void> {
  const bench = await openWeComBench('crm_bench_approvals', log);
  const { env, fake, bot } = bench;
  try {
    const { org, customers, contracts, approvals } = env.services;
    const actorOf = async (login: string): Promise<Actor> => {
      const user = (await org.findActiveUserByPlatformId('wecom', login))!;
      return { user, viewer: await org.resolveViewer(user) };
    };
    const meta = (actor: Actor): RequestMeta => ({ requestId: 'bench', channel: 'bot', actorId: actor.user._id });
    const rep = await actorOf('demo-rep1');
    const approvers = await Promise.all(APPROVERS.map(actorOf));
    const customer = await customers.create(rep, meta(rep), {
      name: '基准客户',
      company: '基准测试有限公司',
      source: '官网',
      tier: 'A',
      contacts: [{ name: '基准客户', phones: ['13700009999'], emails: [], primary: true }],
    } as never);

    const STEPS = APPROVERS.length;
    const round = async (label: string, count: number) => {
      const answers: number[] = [];
      const untilDone: number[] = [];
      const before = { updates: fake.updates.length, delivered: fake.delivered.length };
      const started = performance.now();
      const one = async (i: number) => {
        const c = await contracts.create(rep, meta(rep), {
          customerId: String(customer._id),
          number: `BENCH-${label}-${i}`,
          title: `基准合同${label}${i}`,
          amountFen: 100_000_000,
          discountPercent: 20,
        });
        const a = await approvals.submitContract(rep, meta(rep), String(c._id));
        if (a.steps.length !== STEPS) throw new Error(`expected ${STEPS} steps, got ${a.steps.length}`);
        for (let step = 0; step < STEPS; step++) {
          const actor = approvers[step]!;
          // The approver's card must be out before they can tap it (not measured).
          const findCard = () => bot.approvals.store.find(a._id, actor.user._id);
          let card = await findCard();
          while (!card) {
            await sleep(20);
            card = await findCard();
          }
          // the tap's fresh response code reaches the WeCom adapter before the tap is acknowledged (not measured)
          await bot.wecom!.tapped(card.platformUserId, card.taskId, fake.issueClickResponseCode());
          const t0 = performance.now();
          await approvals.decide(actor, meta(actor), a._id, { decision: 'approve', step, click: { taskId: card.taskId } });
          answers.push(performance.now() - t0);
          if (label === 'fast') {
            await approvals.settled();
            untilDone.push(performance.now() - t0);
          }
        }
        const done = await approvals.forEffects(a._id);
        if (done!.status !== 'approved') throw new Error('approval did not finish');
      };
      // WeCom at once: one approval after another; slow WeCom: all approvals at once (as many people tapping).
      if (label === 'fast') for (let i = 0; i < count; i++) await one(i);
      else await Promise.all(Array.from({ length: count }, (_, i) => one(i)));
      await approvals.settled();
      await bot.inFlight.drain();
      const sent = fake.delivered.slice(before.delivered);
      return {
        answers,
        untilDone,
        updates: fake.updates.length - before.updates,
        cardsSent: sent.filter((d) => d.msgtype === 'template_card').length,
        notices: sent.filter((d) => d.msgtype === 'text').length,
        seconds: (performance.now() - started) / 1000,
      };
    };
    const row = (name: string, xs: number[]) =>
      `| ${name} | ${xs.length} | ${pct(xs, 50).toFixed(1)} | ${pct(xs, 95).toFixed(1)} | ${Math.max(...xs).toFixed(1)} |`;

    const fast = await round('fast', APPROVALS);
    fake.delayMs = SLOW_MS;
    const slow = await round('slow', SLOW_APPROVALS);
    fake.delayMs = 0;
    const stale = await bot.approvals.store.countStale();
    // Per approval: 5 cards sent; every card redrawn to its final state at least once (4 by another's decision + the tapper's own).
    const expectedUpdates = (k: number) => k * (STEPS + (STEPS - 1));
    log(`${APPROVALS} + ${SLOW_APPROVALS} approvals × ${STEPS} approvers, WeCom at once: one approval after another; after 3 s: all at once`);
    log('| decisions | n | p50 ms | p95 ms | max ms |');
    log('|---|---|---|---|---|');
    log(row('WeCom at once: decision answered', fast.answers));
    log(row('WeCom at once: decision → every card redrawn and notice sent', fast.untilDone));
    log(row(`WeCom answering after ${SLOW_MS / 1000} s: decision answered`, slow.answers));
    log(
      `WeCom at once: ${fast.updates} card updates (expected ${expectedUpdates(APPROVALS)}), ${fast.cardsSent} cards, ${fast.notices} notices; ` +
        `after ${SLOW_MS / 1000} s: ${slow.updates} card updates (expected ${expectedUpdates(SLOW_APPROVALS)}), ${slow.cardsSent} cards, ${slow.notices} notices, ` +
        `all effects settled ${slow.seconds.toFixed(1)} s after the first submit; ${stale} cards left stale`,
    );
    log(
      `targets: decision p95 < 100 ms with WeCom at ${SLOW_MS / 1000} s: ${pct(slow.answers, 95) < 100 ? 'met' : 'NOT met'}; ` +
        `every card redrawn: ${slow.updates >= expectedUpdates(SLOW_APPROVALS) && stale === 0 ? 'yes' : 'NO'}; ` +
        `decision → every card (WeCom at once) p95 < 1 s: ${pct(fast.untilDone, 95) < 1000 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await bench.close();
  }
}
