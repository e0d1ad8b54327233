import { randomUUID } from 'node:crypto';
import schedule from 'node-schedule';
import type { Logger } from 'pino';
import type { Types } from 'mongoose';
import { atWallTime, deliverableSince, isDeliverable } from '@crm/shared';
import type { ReminderPolicy } from '@crm/config';
import type { ReminderDeliveryRecord, ReminderDoc } from './reminder.model';
import type { DigestContent, ReminderService, ReminderView } from './reminder.service';

/** Where a push went; null when the person cannot be reached (no chat account on a configured channel, or gone). */
export type SentTo = Omit<ReminderDeliveryRecord, 'folded'> | null;

/**
 * The port through which reminders reach chat (implemented by the bot; the domain never imports it).
 * Each call sends one message: a card for one reminder, one summary card for a burst, or the digest.
 */
export interface ReminderSender {
  /** How long a message to this person would have to wait for the channel's send budget (0 = now). */
  waitMs?(userId: Types.ObjectId): Promise<number>;
  reminder(r: ReminderView): Promise<SentTo>;
  summary(userId: Types.ObjectId, items: ReminderView[]): Promise<SentTo>;
  digest(userId: Types.ObjectId, content: DigestContent): Promise<SentTo>;
}

export interface TickResult {
  claimed: number;
  cards: number;
  summaries: number;
  digests: number;
  cancelled: number;
  failed: number;
  /** Put back until the person's send budget has room (never dropped, never sent over the limit). */
  deferred: number;
}

const UNREACHABLE = '收件人没有可用的聊天账号，或账号已停用';
/** Overnight reminders wait this long after the digest time for the digest to take them, then go out on their own. */
const DIGEST_GRACE_MS = 30 * 60_000;

/**
 * Claims due reminders and pushes them: quiet hours and non-working days hold pushes (what fell due then
 * is folded into the next digest), bursts for one person become one summary card, failures retry with
 * backoff. Safe to run in several processes at once: every claim is a conditional update with a lease.
 * `tick()` is the whole of one pass; `start()` runs it on a timer plus the clock-like jobs (digest,
 * stalled / cold policies) with node-schedule.
 */
export class ReminderScheduler {
  private timer: NodeJS.Timeout | null = null;
  private jobs: schedule.Job[] = [];
  private running: Promise<unknown> | null = null;
  readonly workerId: string;

  constructor(
    private readonly service: ReminderService,
    private readonly sender: ReminderSender,
    private readonly opts: { policy: ReminderPolicy; businessTz: string; logger: Logger; now: () => Date; workerId?: string; userConcurrency?: number },
  ) {
    this.workerId = opts.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
  }

  /** One pass: claim what is due, batch by batch, and deliver it. */
  async tick(): Promise<TickResult> {
    const result: TickResult = { claimed: 0, cards: 0, summaries: 0, digests: 0, cancelled: 0, failed: 0, deferred: 0 };
    const now = this.opts.now();
    const { policy, businessTz: tz } = this.opts;
    if (!isDeliverable(now, policy.hours, tz)) return result;
    const since = deliverableSince(now, policy.hours, tz);
    const digestAt = atWallTime(now, 0, Math.floor(policy.digestMinute / 60), policy.digestMinute % 60, tz);
    const digestDay = policy.hours.workingDays.length > 0;
    // Until the digest has had its chance, what fell due before this stretch began waits for it.
    const dueFrom = digestDay && now.getTime() < digestAt.getTime() + DIGEST_GRACE_MS ? since : null;
    for (;;) {
      const batch = await this.service.claimDue({ owner: this.workerId, limit: policy.scheduler.batchSize, dueFrom });
      if (!batch.length) break;
      // The batch may have cut the last person's reminders short: take the rest of theirs too.
      if (batch.length === policy.scheduler.batchSize) {
        batch.push(...(await this.service.claimDue({ owner: this.workerId, limit: 10_000, dueFrom, userId: batch.at(-1)!.userId })));
      }
      result.claimed += batch.length;
      await this.deliver(batch, since, result);
    }
    return result;
  }

  private async deliver(batch: ReminderDoc[], since: Date | null, result: TickResult): Promise<void> {
    const byUser = new Map<string, ReminderDoc[]>();
    for (const r of batch) byUser.set(String(r.userId), [...(byUser.get(String(r.userId)) ?? []), r]);
    const users = [...byUser.values()];
    const workers = Array.from({ length: Math.min(this.opts.userConcurrency ?? 32, users.length) }, async () => {
      for (let items = users.shift(); items; items = users.shift()) await this.deliverToUser(items, since, result);
    });
    await Promise.all(workers);
  }

  private async deliverToUser(items: ReminderDoc[], since: Date | null, result: TickResult): Promise<void> {
    const log = this.opts.logger;
    const { maxAttempts } = this.opts.policy.scheduler;
    const current: ReminderDoc[] = [];
    for (const r of items) {
      if (await this.service.stillCurrent(r)) current.push(r);
      else result.cancelled += 1;
    }
    const digests = current.filter((r) => r.kind === 'digest');
    const pushes = current.filter((r) => r.kind !== 'digest');
    /** True when the budget has room now; otherwise the items go back until it has (the worker moves on to other people). */
    const budgetAllows = async (rs: ReminderDoc[]): Promise<boolean> => {
      const wait = (await this.sender.waitMs?.(rs[0]!.userId)) ?? 0;
      if (wait <= 0) return true;
      await this.service.defer(
        rs.map((r) => r._id),
        new Date(this.opts.now().getTime() + wait),
      );
      result.deferred += rs.length;
      return false;
    };
    const attempt = async (rs: ReminderDoc[], send: () => Promise<SentTo>, folded: boolean): Promise<SentTo> => {
      try {
        const to = await send();
        if (!to) {
          for (const r of rs) await this.service.markFailed(r, UNREACHABLE, { permanent: true, maxAttempts });
          result.failed += rs.length;
          return null;
        }
        await this.service.markSent(
          rs.map((r) => r._id),
          { ...to, folded },
        );
        return to;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log.warn({ err, reminders: rs.map((r) => String(r._id)) }, 'reminder send failed; will retry');
        for (const r of rs) await this.service.markFailed(r, message, { maxAttempts });
        result.failed += rs.length;
        return null;
      }
    };
    for (const d of digests) {
      if (!(await budgetAllows([d]))) continue;
      const content = await this.service.digestContent(d.userId, since);
      const to = await attempt([d], () => this.sender.digest(d.userId, content), false);
      if (to && since) await this.service.foldIntoDigest(d.userId, since, { ...to, folded: true });
      if (to) result.digests += 1;
    }
    if (pushes.length > this.opts.policy.burstLimit) {
      if (!(await budgetAllows(pushes))) return;
      const views = await this.service.views(pushes);
      if (await attempt(pushes, () => this.sender.summary(pushes[0]!.userId, views), true)) result.summaries += 1;
      return;
    }
    for (const [i, r] of pushes.entries()) {
      if (!(await budgetAllows(pushes.slice(i)))) return;
      const [view] = await this.service.views([r]);
      if (await attempt([r], () => this.sender.reminder(view!), false)) result.cards += 1;
    }
  }

  /** Runs the passes on a timer and the clock-like jobs (digest on working days, policies every few minutes). */
  start(): void {
    const { policy, businessTz: tz, logger } = this.opts;
    const guard = (name: string, fn: () => Promise<unknown>) => () => {
      if (this.running) return; // one pass at a time in this process; other processes coordinate through claims
      this.running = fn()
        .catch((err: unknown) => logger.error({ err }, `${name} failed`))
        .finally(() => {
          this.running = null;
        });
    };
    this.timer = setInterval(
      guard('reminder pass', () => this.tick()),
      policy.scheduler.tickMs,
    );
    this.timer.unref();
    const days = policy.hours.workingDays.map((d) => d % 7); // node-schedule: 0 = Sunday
    this.jobs.push(
      schedule.scheduleJob(
        { rule: `${policy.digestMinute % 60} ${Math.floor(policy.digestMinute / 60)} * * ${days.join(',') || '*'}`, tz },
        guard('morning digest', () => this.service.enqueueDigests().then(() => this.tick())),
      ),
      schedule.scheduleJob(
        { rule: `*/${policy.scheduler.policyEveryMinutes} * * * *`, tz },
        guard('reminder policies', () => this.service.runPolicies()),
      ),
    );
    void guard('reminder policies', () => this.service.runPolicies())();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const j of this.jobs) j.cancel();
    this.jobs = [];
    await this.running;
  }
}
