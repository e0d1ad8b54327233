import { randomUUID } from 'node:crypto';
import schedule from 'node-schedule';
import type { Logger } from 'pino';
import type { Types } from 'mongoose';
import { atWallTime, dayKey, deliverableSince, isDeliverable } from '@crm/shared';
import type { ReminderPolicy } from '@crm/config';
// NOTE: added by the database-outage work (api/src/db/unavailable.ts); the scheduler only reads it.
import { isDatabaseUnavailable } from '../../db/unavailable';
import type { JobLeasePort } from '../../db/job-lease';
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
/** The longest wait between passes while the database is unavailable. */
const MAX_BACKOFF_MS = 60_000;
/** The jobs in `job_leases`. */
export const DIGEST_JOB = 'reminder-digest';
export const POLICIES_JOB = 'reminder-policies';

export interface SchedulerOptions {
  policy: ReminderPolicy;
  businessTz: string;
  logger: Logger;
  now: () => Date;
  workerId?: string;
  userConcurrency?: number;
  /** The job leases (default: `job_leases` on the reminders' connection). */
  leases?: JobLeasePort;
  /** The longest back-off between passes while the database is unavailable (default 60 s). */
  maxBackoffMs?: number;
}

/**
 * Claims due reminders and pushes them: quiet hours and non-working days hold pushes (what fell due then
 * is folded into the next digest), bursts for one person become one summary card, failures retry with
 * backoff. Safe to run in several processes at once: every claim is a conditional update with a lease.
 * `tick()` is the whole of one delivery pass; `pass()` is what the timer runs (today's digest if it is due
 * and not yet run anywhere, then `tick()`); `start()` runs passes and the policies, each schedule with its
 * own guard and, across processes, its own lease in `job_leases`.
 */
export class ReminderScheduler {
  private timer: NodeJS.Timeout | null = null;
  private jobs: schedule.Job[] = [];
  private stopped = false;
  /** One run at a time per schedule in this process (the pass, the policies); never one guard for all. */
  private readonly running = new Map<string, Promise<unknown>>();
  /** The day whose digest is known done (saves a read per pass once it is). */
  private digestDoneDay: string | null = null;
  /** Set while the database is unavailable: passes back off and nothing is logged per failure. */
  private outage: { since: Date; failures: number } | null = null;
  private readonly leases: JobLeasePort;
  readonly workerId: string;

  constructor(
    private readonly service: ReminderService,
    private readonly sender: ReminderSender,
    private readonly opts: SchedulerOptions,
  ) {
    this.workerId = opts.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
    this.leases = opts.leases ?? service.jobLeases;
  }

  /** One pass: claim what is due, batch by batch, and deliver it. */
  async tick(): Promise<TickResult> {
    const result: TickResult = { claimed: 0, cards: 0, summaries: 0, digests: 0, cancelled: 0, failed: 0, deferred: 0 };
    const now = this.opts.now();
    const { policy, businessTz: tz } = this.opts;
    if (!isDeliverable(now, policy.hours, tz)) {
      // held, except reminders not bound by quiet hours (the demo's first one)
      const batch = await this.service.claimDue({ owner: this.workerId, limit: policy.scheduler.batchSize, dueFrom: null, anyHourOnly: true });
      result.claimed += batch.length;
      if (batch.length) await this.deliver(batch, null, result);
      return result;
    }
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

  /**
   * Today's morning digest, if it is due (a working day, deliverable now, at or after the digest time) and no
   * process has run it yet: catch-up after downtime and after any collision. Enqueued under the digest's
   * lease and recorded done for the day, so two processes enqueue it once; the per-person key
   * (`digest:<user>:<day>`) keeps even a repeated run from sending anyone a second digest. True when it ran.
   */
  async digestIfDue(): Promise<boolean> {
    const now = this.opts.now();
    const { policy, businessTz: tz } = this.opts;
    if (!isDeliverable(now, policy.hours, tz)) return false;
    const day = dayKey(now, tz);
    if (this.digestDoneDay === day) return false;
    const digestAt = atWallTime(now, 0, Math.floor(policy.digestMinute / 60), policy.digestMinute % 60, tz);
    if (now.getTime() < digestAt.getTime()) return false;
    if (await this.leases.isDone(DIGEST_JOB, day)) {
      this.digestDoneDay = day;
      return false;
    }
    if (!(await this.leases.acquire(DIGEST_JOB, this.workerId, policy.scheduler.leaseMs, now))) return false;
    try {
      if (await this.leases.isDone(DIGEST_JOB, day)) return false;
      const recipients = await this.service.enqueueDigests();
      await this.leases.markDone(DIGEST_JOB, day, this.workerId, this.opts.now());
      this.digestDoneDay = day;
      this.opts.logger.info({ day, recipients }, 'morning digest enqueued');
      return true;
    } finally {
      await this.leases.release(DIGEST_JOB, this.workerId);
    }
  }

  /** The stalled / cold policies, under their lease (another process running them now means nothing to do). */
  async policiesOnce(): Promise<{ stalled: number; cold: number } | null> {
    const now = this.opts.now();
    if (!(await this.leases.acquire(POLICIES_JOB, this.workerId, this.opts.policy.scheduler.leaseMs, now))) return null;
    try {
      return await this.service.runPolicies();
    } finally {
      await this.leases.release(POLICIES_JOB, this.workerId);
    }
  }

  /**
   * What the timer runs: the digest catch-up, then one delivery pass. Never throws. Returns the wait before
   * the next pass: `tickMs`, or while the database is unavailable a back-off doubling up to 60 s (one
   * warning when the outage starts, one line when it ends, nothing per failed pass).
   */
  async pass(): Promise<number> {
    const { tickMs } = this.opts.policy.scheduler;
    const ok = await this.guarded('reminder pass', async () => {
      await this.digestIfDue();
      await this.tick();
    });
    if (ok === 'failed' && this.outage) return Math.min(tickMs * 2 ** this.outage.failures, this.opts.maxBackoffMs ?? MAX_BACKOFF_MS);
    return tickMs;
  }

  /** Runs `fn` unless this schedule is already running here; failures are logged (database outages once). */
  private async guarded(name: string, fn: () => Promise<unknown>): Promise<'ran' | 'busy' | 'failed'> {
    if (this.running.has(name)) return 'busy';
    const run = fn();
    this.running.set(name, run);
    try {
      await run;
      this.recovered();
      return 'ran';
    } catch (err) {
      this.failed(name, err);
      return 'failed';
    } finally {
      this.running.delete(name);
    }
  }

  private failed(name: string, err: unknown): void {
    if (!isDatabaseUnavailable(err)) {
      this.opts.logger.error({ err }, `${name} failed`);
      return;
    }
    if (!this.outage) {
      this.outage = { since: this.opts.now(), failures: 0 };
      this.opts.logger.warn(
        { err: err instanceof Error ? { name: err.name, message: err.message } : String(err) },
        'database unavailable: the reminder scheduler backs off until it answers',
      );
    }
    this.outage.failures += 1;
  }

  private recovered(): void {
    if (!this.outage) return;
    const { since, failures } = this.outage;
    this.outage = null;
    this.opts.logger.info(
      { failedPasses: failures, downMs: this.opts.now().getTime() - since.getTime() },
      'database available again: the reminder scheduler resumed',
    );
  }

  /** Runs passes on a timer (the next one after the last ends) and the policies every few minutes. */
  start(): void {
    const { policy, businessTz: tz } = this.opts;
    this.stopped = false;
    const loop = async () => {
      const wait = await this.pass();
      if (this.stopped) return;
      this.timer = setTimeout(() => void loop(), wait);
      this.timer.unref();
    };
    this.timer = setTimeout(() => void loop(), 0);
    this.timer.unref();
    const policies = () => void this.guarded('reminder policies', () => this.policiesOnce());
    this.jobs.push(schedule.scheduleJob({ rule: `*/${policy.scheduler.policyEveryMinutes} * * * *`, tz }, policies));
    policies();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const j of this.jobs) j.cancel();
    this.jobs = [];
    await Promise.allSettled([...this.running.values()]);
  }
}
