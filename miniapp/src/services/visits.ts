import type { CreateFollowUpBody, FollowUpDto } from './api-types';
import { ApiError, type Request } from './request';
import type { KeyValueStore } from './storage';

/**
 * Visit logging (拜访记录) that survives a closed page and a lost connection:
 * - the form is kept as a draft per customer on every change (`saveDraft`), restored when the page opens
 *   and cleared once the visit is sent;
 * - a visit that cannot reach the server (no network, timeout, 5xx) goes to an outbox in storage and is sent
 *   when the network is back (`flush`, called at start and on every "connected" event);
 * - sent once: every visit carries an Idempotency-Key made before its first attempt and kept with it in the
 *   outbox, so a visit the server stored but whose answer was lost (timeout) is not stored twice when it is
 *   sent again; flushes never overlap (one at a time, in order) and an entry leaves the outbox as soon as the
 *   server accepted it. An entry the server refuses (4xx) is dropped and reported, not retried forever.
 */
export interface VisitDraft {
  type: CreateFollowUpBody['type'];
  contactId: string | null;
  content: string;
  location: { lat: number; lng: number; address?: string } | null;
  nextStepText: string;
  /** ISO time, or null for no next step. */
  nextStepDueAt: string | null;
  nextStepChoice: string | null;
  savedAt: string;
}

export interface OutboxEntry {
  /** Also the request's Idempotency-Key. */
  id: string;
  body: CreateFollowUpBody;
  queuedAt: string;
}

export type SubmitResult = { status: 'sent'; followUpId: string } | { status: 'queued'; entryId: string };

export interface FlushResult {
  sent: number;
  dropped: Array<{ entry: OutboxEntry; message: string }>;
  kept: number;
}

const DRAFT = (customerId: string) => `crm.visitDraft.${customerId}`;
const OUTBOX = 'crm.visitOutbox';

export function isRetriable(err: unknown): boolean {
  return (
    err instanceof ApiError && (err.isNetwork || err.status >= 500 || err.status === 429 || (err.status === 409 && err.code === 'IDEMPOTENCY_IN_PROGRESS'))
  );
}

export class VisitService {
  private flushing: Promise<FlushResult> | null = null;

  constructor(
    private readonly request: Request,
    private readonly store: KeyValueStore,
    private readonly now: () => Date = () => new Date(),
    private readonly newId: () => string = () => `v-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
  ) {}

  loadDraft(customerId: string): VisitDraft | null {
    return this.store.get<VisitDraft>(DRAFT(customerId));
  }

  saveDraft(customerId: string, draft: Omit<VisitDraft, 'savedAt'>): void {
    this.store.set(DRAFT(customerId), { ...draft, savedAt: this.now().toISOString() });
  }

  clearDraft(customerId: string): void {
    this.store.remove(DRAFT(customerId));
  }

  pending(): OutboxEntry[] {
    return this.store.get<OutboxEntry[]>(OUTBOX) ?? [];
  }

  /** Sends now; when the server cannot be reached the visit is queued (and the draft cleared either way). */
  async submit(body: CreateFollowUpBody): Promise<SubmitResult> {
    const key = this.newId();
    try {
      const created = await this.send(body, key);
      this.clearDraft(body.customerId);
      return { status: 'sent', followUpId: created.id };
    } catch (err) {
      if (!isRetriable(err)) throw err;
      const entry: OutboxEntry = { id: key, body, queuedAt: this.now().toISOString() };
      this.store.set(OUTBOX, [...this.pending(), entry]);
      this.clearDraft(body.customerId);
      return { status: 'queued', entryId: entry.id };
    }
  }

  /** Sends what is queued, one at a time; overlapping calls share one run. */
  flush(): Promise<FlushResult> {
    this.flushing ??= this.runFlush().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async runFlush(): Promise<FlushResult> {
    const result: FlushResult = { sent: 0, dropped: [], kept: 0 };
    for (;;) {
      const [entry] = this.pending();
      if (!entry) break;
      try {
        await this.send(entry.body, entry.id);
        result.sent += 1;
      } catch (err) {
        if (isRetriable(err)) {
          result.kept = this.pending().length;
          return result;
        }
        result.dropped.push({ entry, message: err instanceof Error ? err.message : String(err) });
      }
      // remove exactly this entry (the list may have grown meanwhile)
      this.store.set(
        OUTBOX,
        this.pending().filter((e) => e.id !== entry.id),
      );
    }
    return result;
  }

  private send(body: CreateFollowUpBody, idempotencyKey: string): Promise<FollowUpDto> {
    return this.request<FollowUpDto>('POST', '/api/v1/follow-ups', { body, silent: true, headers: { 'Idempotency-Key': idempotencyKey } });
  }
}
