import { Types, type Connection, type Model } from 'mongoose';
import type { StageDefinition } from '@crm/shared';
import type { ReminderPolicy } from '@crm/config';
import type { AuditService } from '../audit/audit.service';
import type { Metrics } from '../../metrics/metrics';
import type { CustomerService } from '../customer/customer.service';
import type { OpportunityService } from '../opportunity/opportunity.service';
import type { OrgService } from '../org/org.service';
import { reminderModel, type Reminder } from './reminder.model';

/** Statuses a reminder can still be completed or snoozed from. */
export const OPEN_STATUSES = ['scheduled', 'sending', 'sent', 'failed'] as const;

export type Stored = Reminder & { _id: Types.ObjectId };
export const oid = (id: string | Types.ObjectId): Types.ObjectId => (typeof id === 'string' ? new Types.ObjectId(id) : id);
export const isDuplicateKey = (err: unknown): boolean => (err as { code?: number }).code === 11000;

export function customerLabel(c: { name: string; company?: string | null }): string {
  return c.company ? `${c.name}（${c.company}）` : c.name;
}

/** What the reminder module's parts read from the other modules (their services, never their collections) and its settings. */
export interface ReminderDeps {
  org: OrgService;
  customers: CustomerService;
  opportunities: OpportunityService;
  audit: AuditService;
  policy: ReminderPolicy;
  stages: StageDefinition[];
  businessTz: string;
  now: () => Date;
  /** Counts deliveries by outcome (crm_reminders_total). */
  metrics?: Metrics;
  /** The person's customers about to return to the pool, for the morning digest (the pool module's warnings). */
  reclaimSoon?: (userId: Types.ObjectId) => Promise<Array<{ name: string; inDays: number; reason: string }>>;
  /** A manager's reports who left the platform and whose customers still wait for a hand-over (the directory's flags). */
  pendingHandovers?: (userId: Types.ObjectId) => Promise<Array<{ userId: string; name: string; customers: number }>>;
}

/**
 * The reminders collection, shared by the module's parts (sources, delivery, digest, the person's API) and
 * by nobody else: the module's services are the only way in.
 */
export class ReminderStore {
  readonly #model: Model<Reminder>;

  constructor(
    conn: Connection,
    private readonly now: () => Date,
  ) {
    this.#model = reminderModel(conn);
  }

  get model(): Model<Reminder> {
    return this.#model;
  }

  /** Inserts reminders whose key is new; existing keys are left as they are (one unordered round trip). */
  async insertNew(rows: Array<Partial<Reminder> & { dedupeKey: string }>): Promise<void> {
    if (!rows.length) return;
    const now = this.now();
    const docs = rows.map((r) => ({
      status: 'scheduled',
      attempts: 0,
      leaseUntil: null,
      leaseOwner: null,
      retryAt: null,
      lastError: null,
      delivery: null,
      sentAt: null,
      doneAt: null,
      outcome: null,
      createdAt: now,
      updatedAt: now,
      ...r,
    }));
    await this.#model.collection.insertMany(docs, { ordered: false }).catch((err: unknown) => {
      const writeErrors = (err as { writeErrors?: Array<{ code?: number; err?: { code?: number } }> }).writeErrors ?? [];
      const real = writeErrors.filter((e) => (e.code ?? e.err?.code) !== 11000);
      if (!writeErrors.length || real.length) throw err;
    });
  }
}
