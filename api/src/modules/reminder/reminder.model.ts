import { Schema, type Connection, type HydratedDocument, type Model, type Types } from 'mongoose';
import { REMINDER_STATUSES, type ReminderStatus } from '@crm/shared';

/** Kinds stored: the user-facing ones in shared (next-step, stalled-opportunity, cold-customer) and the morning digest. */
export const STORED_REMINDER_KINDS = ['next-step', 'stalled-opportunity', 'cold-customer', 'digest'] as const;
export type StoredReminderKind = (typeof STORED_REMINDER_KINDS)[number];

/**
 * Where a reminder went. `taskId` names the card (a summary card carries the same one for every reminder
 * it folds); how to redraw that card (WeCom's response codes) is the bot's, kept in its own collection.
 */
export interface ReminderDeliveryRecord {
  channel: string;
  platformUserId: string;
  messageId: string | null;
  /** The card's task id; a summary card carries the same one for every reminder it folds. */
  taskId: string | null;
  sentAt: Date;
  /** Delivered inside a summary card or the digest rather than as its own card. */
  folded: boolean;
}

/**
 * One thing to tell one person at one time. `dedupeKey` is unique: whatever creates reminders (follow-up
 * events, the stalled / cold policies, the digest job, any number of workers) can only ever create one.
 * Status machine: scheduled → sending (claimed with a lease) → sent | failed (retries exhausted) | cancelled
 * (the source changed); scheduled / sending / sent → done (完成); done never comes back.
 */
export interface Reminder {
  dedupeKey: string;
  kind: StoredReminderKind;
  userId: Types.ObjectId;
  dueAt: Date;
  status: ReminderStatus;
  title: string;
  text: string;
  customerId: Types.ObjectId | null;
  opportunityId: Types.ObjectId | null;
  followUpId: Types.ObjectId | null;
  /** A team reminder (to a manager about a rep's stalled deal): the rep it is about, whom 提醒他 nudges. */
  aboutUserId: Types.ObjectId | null;
  /** What the source looked like when this reminder was made (a stage entry time, a last-follow-up time): a later change cancels it. */
  sourceVersion: string | null;
  leaseUntil: Date | null;
  leaseOwner: string | null;
  attempts: number;
  /** After a failed send: not before this. */
  retryAt: Date | null;
  /** Not held by quiet hours or non-working days: the demo's first reminder, so a newcomer sees the loop at any hour. */
  anyHour: boolean;
  lastError: string | null;
  delivery: ReminderDeliveryRecord | null;
  sentAt: Date | null;
  doneAt: Date | null;
  /** How it ended: done from a card / the mini-app / a chat reply, cancelled because … */
  outcome: string | null;
  createdAt: Date;
  updatedAt: Date;
}
export type ReminderDoc = HydratedDocument<Reminder>;

const deliverySchema = new Schema<ReminderDeliveryRecord>(
  {
    channel: String,
    platformUserId: String,
    messageId: { type: String, default: null },
    taskId: { type: String, default: null },
    sentAt: Date,
    folded: { type: Boolean, default: false },
  },
  { _id: false },
);

const reminderSchema = new Schema<Reminder>(
  {
    dedupeKey: { type: String, required: true },
    kind: { type: String, enum: STORED_REMINDER_KINDS, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    dueAt: { type: Date, required: true },
    status: { type: String, enum: REMINDER_STATUSES, default: 'scheduled' },
    title: { type: String, required: true },
    text: { type: String, default: '' },
    customerId: { type: Schema.Types.ObjectId, default: null },
    opportunityId: { type: Schema.Types.ObjectId, default: null },
    followUpId: { type: Schema.Types.ObjectId, default: null },
    aboutUserId: { type: Schema.Types.ObjectId, default: null },
    sourceVersion: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    leaseOwner: { type: String, default: null },
    attempts: { type: Number, default: 0 },
    retryAt: { type: Date, default: null },
    anyHour: { type: Boolean, default: false },
    lastError: { type: String, default: null },
    delivery: { type: deliverySchema, default: null },
    sentAt: { type: Date, default: null },
    doneAt: { type: Date, default: null },
    outcome: { type: String, default: null },
  },
  { timestamps: true, strict: 'throw' },
);
reminderSchema.index({ dedupeKey: 1 }, { unique: true });
reminderSchema.index({ status: 1, dueAt: 1 });
reminderSchema.index({ userId: 1, dueAt: 1 });
reminderSchema.index({ 'delivery.taskId': 1 });
reminderSchema.index({ followUpId: 1 });
reminderSchema.index({ userId: 1, customerId: 1, status: 1 });

export function reminderModel(conn: Connection): Model<Reminder> {
  return conn.models.Reminder ?? conn.model<Reminder>('Reminder', reminderSchema);
}
