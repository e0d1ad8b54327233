/**
 * Reminders as the API returns them (`GET /api/v1/reminders`), shared by the API, the bot and the mini-app.
 * Kinds: a follow-up's next step, a deal stalled past its stage's time limit, a customer gone cold.
 */
export const REMINDER_KINDS = ['next-step', 'stalled-opportunity', 'cold-customer'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

export const REMINDER_STATUSES = ['scheduled', 'sending', 'sent', 'done', 'failed', 'cancelled'] as const;
export type ReminderStatus = (typeof REMINDER_STATUSES)[number];

/**
 * `today`: due today (business time zone) and not done; `overdue`: due before now and not done, the most
 * recently overdue first; `upcoming`: later; `team` (managers): open reminders about someone in the team.
 */
export const REMINDER_BOXES = ['today', 'overdue', 'upcoming', 'team'] as const;
export type ReminderBox = (typeof REMINDER_BOXES)[number];

/** Snooze choices offered on cards and in the mini-app (or an explicit `until`). */
export const SNOOZE_PRESETS = ['1h', 'tomorrow-morning', 'next-monday'] as const;
export type SnoozePreset = (typeof SNOOZE_PRESETS)[number];
export const SNOOZE_PRESET_LABELS: Record<SnoozePreset, string> = { '1h': '1 小时后', 'tomorrow-morning': '明天上午', 'next-monday': '下周一' };

export const REMINDER_KIND_LABELS: Record<ReminderKind, string> = {
  'next-step': '跟进提醒',
  'stalled-opportunity': '商机停滞',
  'cold-customer': '客户久未跟进',
};

/** How the mini-app groups reminders (下一步 / 商机停滞 / 客户冷却), in this order. */
export const REMINDER_GROUP_LABELS: Record<ReminderKind, string> = {
  'next-step': '下一步',
  'stalled-opportunity': '商机停滞',
  'cold-customer': '客户冷却',
};

/** Open reminders per box (the tabs' counts). */
export type ReminderCounts = Record<ReminderBox, number>;

/** `POST /reminders/complete`: what was completed, and what was not (someone else's, missing, or no longer open). */
export interface CompleteRemindersResult {
  completed: string[];
  skipped: Array<{ id: string; reason: 'not-found' | 'not-open' }>;
}

export interface ReminderDto {
  id: string;
  kind: ReminderKind;
  status: ReminderStatus;
  /** ISO time. */
  dueAt: string;
  /** Short headline, e.g. "回访报价：杭州云帆". */
  title: string;
  /** The planned step or the reason. */
  text: string;
  userId: string;
  customerId: string | null;
  customerName: string | null;
  opportunityId: string | null;
  followUpId: string | null;
  /** A team reminder: the rep it is about (a manager answers it with 提醒他, not 完成). */
  aboutUser: { id: string; name: string } | null;
  /** ISO time of the customer's last follow-up, when known. */
  lastContactAt: string | null;
  doneAt: string | null;
}
