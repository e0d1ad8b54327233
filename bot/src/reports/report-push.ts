import { Schema, type Connection, type Model } from 'mongoose';
import type { Logger } from 'pino';
import { addDays, dayKey, isWorkingDay, wallClock, zonedInstant } from '@crm/shared';
import type { ReminderPolicy } from '@crm/config';
import type { Actor, Services } from '@crm/api';
import type { Card } from '../core/bot-event';
import type { Notifier } from '../outbound/notifier';
import { reportCardFor } from './report-cards';

/** One document per push claimed (`weekly:<manager>:<week>`, `alert:<manager>:<day>`): inserted before sending, so a push goes out once whatever the number of workers. */
interface PushClaim {
  _id: string;
  at: Date;
}
const claimSchema = new Schema<PushClaim>({ _id: { type: String, required: true }, at: { type: Date, required: true } }, { versionKey: false });
function claimModel(conn: Connection): Model<PushClaim> {
  return (conn.models.BotReportPush as Model<PushClaim> | undefined) ?? conn.model<PushClaim>('BotReportPush', claimSchema, 'bot_report_pushes');
}

const DAY = 86_400_000;

/**
 * The reports pushed to managers (active users with active direct reports), by the report-push job:
 * - the weekly card, from `reports.weeklyWeekday` at `weeklyMinute` (Monday 09:00, business time): last week of
 *   their team against the week before, the top and bottom of the ranking, stalled deals and overdue follow-ups;
 * - alerts, on working days from the same minute: reps who logged no follow-up in the last `quietRepWorkingDays`
 *   working days, and the team's new deals of last week down more than `newDealsDropPercent` % on the week before
 *   (this one on the weekly day only).
 * A run any time later that day catches up (a worker started at 09:40 still sends). Each push is claimed first
 * by a unique insert (E11000 = another worker has it); a worker that dies between claim and send loses that one
 * push (at most once).
 */
export class ReportPush {
  readonly #claims: Model<PushClaim>;

  constructor(
    conn: Connection,
    private readonly deps: {
      services: Services;
      notifier: Notifier;
      policy: ReminderPolicy;
      businessTz: string;
      logger: Logger;
      now: () => Date;
    },
  ) {
    this.#claims = claimModel(conn);
  }

  async runDue(): Promise<{ weekly: number; alerts: number }> {
    const now = this.deps.now();
    const tz = this.deps.businessTz;
    const w = wallClock(now, tz);
    const r = this.deps.policy.reports;
    const minute = w.hour * 60 + w.minute;
    const out = { weekly: 0, alerts: 0 };
    if (minute < r.weeklyMinute) return out;
    const weeklyDay = w.weekday === r.weeklyWeekday;
    const working = isWorkingDay({ year: w.year, month: w.month, day: w.day });
    if (!weeklyDay && !working) return out;
    const lastWeek = new Date(now.getTime() - 7 * DAY);
    for (const leader of await this.deps.services.org.activeLeaders()) {
      const actor: Actor = { user: leader, viewer: await this.deps.services.org.resolveViewer(leader) };
      try {
        if (weeklyDay && (await this.claim(`weekly:${String(leader._id)}:${dayKey(now, tz)}`, now))) {
          const card = await reportCardFor(this.deps.services, actor, 'team', 'week', lastWeek);
          if (await this.deps.notifier.send(leader._id, { kind: 'card', card }, { notice: true })) out.weekly++;
        }
        if (working) {
          const alert = await this.alertCard(actor, now, weeklyDay);
          if (alert && (await this.claim(`alert:${String(leader._id)}:${dayKey(now, tz)}`, now))) {
            if (await this.deps.notifier.send(leader._id, { kind: 'card', card: alert }, { notice: true })) out.alerts++;
          }
        }
      } catch (err) {
        this.deps.logger.error({ err, userId: String(leader._id) }, 'report push failed');
      }
    }
    return out;
  }

  private async claim(id: string, now: Date): Promise<boolean> {
    try {
      await this.#claims.create({ _id: id, at: now });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }

  /** Quiet reps (no follow-up in the last N working days) and a week-on-week drop of new deals; null when nothing to say. */
  private async alertCard(actor: Actor, now: Date, weeklyDay: boolean): Promise<Card | null> {
    const r = this.deps.policy.reports;
    const tz = this.deps.businessTz;
    const reports = await this.deps.services.org.activeReportsOf(actor.user._id);
    const from = workingDaysBack(now, r.quietRepWorkingDays, tz);
    const base = { departmentId: undefined, ownerId: undefined } as const;
    const ranking = await this.deps.services.reports.ranking(actor, { ...base, period: 'custom', from, to: now, dimension: 'rep' });
    const active = new Set(ranking.rows.filter((x) => x.followUps.current > 0).map((x) => x.id));
    const quiet = reports.filter((p) => !active.has(String(p._id)));
    const lines: Array<{ label: string; value: string }> = quiet
      .slice(0, 4)
      .map((p) => ({ label: p.name, value: `${r.quietRepWorkingDays} 个工作日没有跟进记录` }));
    if (quiet.length > 4) lines.push({ label: '另有', value: `${quiet.length - 4} 人` });
    if (weeklyDay) {
      const s = await this.deps.services.reports.summary(actor, { ...base, period: 'week', at: new Date(now.getTime() - 7 * DAY), scope: 'team' });
      const prev = s.newDeals.previous;
      if (prev > 0 && ((prev - s.newDeals.current) / prev) * 100 > r.newDealsDropPercent) {
        lines.push({
          label: '新商机',
          value: `上周 ${s.newDeals.current} 个，比前一周 ${prev} 个少 ${Math.round(((prev - s.newDeals.current) / prev) * 100)}%`,
        });
      }
    }
    if (!lines.length) return null;
    const link = `${(await this.deps.services.reports.summary(actor, { ...base, period: 'week', scope: 'team' })).link}`;
    return {
      taskId: `rpta_${String(actor.user._id)}_${dayKey(now, tz)}`,
      title: '团队提醒',
      description: quiet.length ? `${quiet.length} 人 ${r.quietRepWorkingDays} 个工作日没有跟进` : '团队新商机明显减少',
      fields: lines.slice(0, 6),
      url: link,
      buttons: [{ key: 'rpt.console', text: '打开工作台', url: link, style: 'primary' }],
    };
  }
}

/** The start of the day N working days before today (today not counted), business time. */
export function workingDaysBack(now: Date, n: number, tz: string): Date {
  const w = wallClock(now, tz);
  let d = { year: w.year, month: w.month, day: w.day };
  for (let left = n; left > 0;) {
    d = addDays(d.year, d.month, d.day, -1);
    if (isWorkingDay(d)) left--;
  }
  return zonedInstant(d.year, d.month, d.day, 0, 0, tz);
}
