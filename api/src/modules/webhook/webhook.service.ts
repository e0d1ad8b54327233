import { randomBytes } from 'node:crypto';
import { Types, type Connection, type Model } from 'mongoose';
import type { Config } from '@crm/config';
import type { StageDefinition } from '@crm/shared';
import type { RequestMeta } from '../../context';
import { paginateById, type Page } from '../../db/paginate';
import { AppError, CommonErrorCode, notFound } from '../../errors/app-error';
import { diffFields, type AuditService } from '../audit/audit.service';
import { checkWebhookTarget, WebhookTargetRefused, type Resolver } from './webhook.guard';
import { eventTypesOf, WEBHOOK_ACTIONS } from './webhook.events';
import { webhookModels, type DeliveryAttempt, type WebhookCursor, type WebhookDelivery, type WebhookEndpoint } from './webhook.model';
import { postPinned, type WebhookTransport } from './webhook.sender';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signatureHeader } from './webhook.signing';

/** Loads a record's DTO as the API shows it (through the owning service, never its collection); null when gone. */
export type RecordLoader = (entityType: string, id: string) => Promise<Record<string, unknown> | null>;

export interface WebhookDeps {
  audit: AuditService;
  settings: Config['webhooks'];
  stages: readonly StageDefinition[];
  load: RecordLoader;
  now: () => Date;
  /** Tests swap the transport or the resolver; production uses the pinned POST and the system resolver. */
  transport?: WebhookTransport;
  resolve?: Resolver;
}

export type EndpointWithId = WebhookEndpoint & { _id: Types.ObjectId };
export type DeliveryWithId = WebhookDelivery & { _id: Types.ObjectId };

const CURSOR_ID = 'dispatcher';
const DISPATCH_BATCH = 500;
const SEND_BATCH = 200;
const LOG_KEEP = 20;
const oid = (s: string) => new Types.ObjectId(s);
const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;
/** Retry waits: 30 s doubling, at most an hour between attempts, for `retryForMs` (24 h) in all. */
export const retryDelayMs = (attempts: number) => Math.min(3600_000, 30_000 * 2 ** Math.max(0, attempts - 1));

/**
 * Outbound webhooks. The append-only audit log is the outbox: `dispatch` tails it after a persisted cursor
 * (looking back `lookbackMs`, since ids from several processes are not strictly ordered) and writes one
 * delivery per (audit entry, endpoint, event type) under a unique key; `send` delivers what is due, a record's
 * events in audit order, retried with backoff until `retryForMs` has passed, then `failed`. A process that dies
 * anywhere leaves either an audit entry not yet dispatched (the next pass finds it) or a delivery `pending` /
 * `sending` with a lease (sent again after the lease): at least once, with the event id for deduplication.
 */
export class WebhookService {
  readonly #endpoints: Model<WebhookEndpoint>;
  readonly #deliveries: Model<WebhookDelivery>;
  readonly #cursor: Model<WebhookCursor>;
  readonly #deps: WebhookDeps;

  constructor(conn: Connection, deps: WebhookDeps) {
    const m = webhookModels(conn);
    this.#endpoints = m.endpoints;
    this.#deliveries = m.deliveries;
    this.#cursor = m.cursor;
    this.#deps = deps;
  }

  private get transport(): WebhookTransport {
    return this.#deps.transport ?? postPinned;
  }

  private async checkUrl(url: string) {
    try {
      return await checkWebhookTarget(url, { allowPrivate: this.#deps.settings.allowPrivate, resolve: this.#deps.resolve });
    } catch (err) {
      if (err instanceof WebhookTargetRefused)
        throw new AppError(400, CommonErrorCode.VALIDATION_FAILED, err.message, { details: [{ path: 'body.url', message: err.message }] });
      throw err;
    }
  }

  // ---- endpoints (admins) ----------------------------------------------------------------------

  async create(meta: RequestMeta, input: { url: string; events: string[]; secret?: string; description?: string | null }): Promise<EndpointWithId> {
    await this.checkUrl(input.url);
    const doc = await this.#endpoints.create({
      url: input.url,
      events: [...new Set(input.events)],
      secret: input.secret ?? `whsec_${randomBytes(24).toString('hex')}`,
      description: input.description ?? null,
      active: true,
      createdById: meta.actorId,
    });
    await this.#deps.audit.record(meta, {
      action: 'webhook.create',
      entityType: 'webhook',
      entityId: doc._id,
      changes: diffFields(null, doc.toObject(), ['url', 'events', 'active']),
    });
    return doc.toObject() as EndpointWithId;
  }

  list(): Promise<EndpointWithId[]> {
    return this.#endpoints.find().sort({ _id: 1 }).lean<EndpointWithId[]>().exec();
  }

  async get(id: string): Promise<EndpointWithId> {
    const doc = await this.#endpoints.findById(oid(id)).lean<EndpointWithId>().exec();
    if (!doc) throw notFound('Webhook');
    return doc;
  }

  async update(
    meta: RequestMeta,
    id: string,
    input: { url?: string; events?: string[]; secret?: string; description?: string | null; active?: boolean },
  ): Promise<EndpointWithId> {
    const before = await this.get(id);
    if (input.url !== undefined) await this.checkUrl(input.url);
    const set: Partial<WebhookEndpoint> = {};
    if (input.url !== undefined) set.url = input.url;
    if (input.events !== undefined) set.events = [...new Set(input.events)];
    if (input.secret !== undefined) set.secret = input.secret;
    if (input.description !== undefined) set.description = input.description;
    if (input.active !== undefined) set.active = input.active;
    const after = await this.#endpoints.findByIdAndUpdate(before._id, { $set: set }, { returnDocument: 'after' }).lean<EndpointWithId>().exec();
    if (!after) throw notFound('Webhook');
    const changes = diffFields(before, after, ['url', 'events', 'description', 'active']);
    if (input.secret !== undefined) changes.secret = { before: '******', after: '******' };
    if (Object.keys(changes).length) await this.#deps.audit.record(meta, { action: 'webhook.update', entityType: 'webhook', entityId: after._id, changes });
    return after;
  }

  /** Removes the endpoint; its pending deliveries are marked failed (the log stays). */
  async remove(meta: RequestMeta, id: string): Promise<EndpointWithId> {
    const before = await this.get(id);
    await this.#endpoints.deleteOne({ _id: before._id }).exec();
    await this.#deliveries
      .updateMany(
        { endpointId: before._id, status: { $in: ['pending', 'sending'] } },
        { $set: { status: 'failed', lastError: 'endpoint deleted', leaseUntil: null } },
      )
      .exec();
    await this.#deps.audit.record(meta, {
      action: 'webhook.delete',
      entityType: 'webhook',
      entityId: before._id,
      changes: { url: { before: before.url, after: null } },
    });
    return before;
  }

  /** An endpoint's delivery log, newest first. */
  async deliveries(endpointId: string, q: { status?: WebhookDelivery['status']; cursor?: string; limit: number }): Promise<Page<DeliveryWithId>> {
    const ep = await this.get(endpointId);
    const filter: Record<string, unknown> = { endpointId: ep._id };
    if (q.status) filter.status = q.status;
    return (await paginateById(this.#deliveries, filter, { cursor: q.cursor, limit: q.limit })) as Page<DeliveryWithId>;
  }

  async delivery(endpointId: string, deliveryId: string): Promise<DeliveryWithId> {
    const d = await this.#deliveries
      .findOne({ _id: oid(deliveryId), endpointId: oid(endpointId) })
      .lean<DeliveryWithId>()
      .exec();
    if (!d) throw notFound('投递记录');
    return d;
  }

  /** Sends a delivery again (same event id and body): back to `pending` now, retried for another `retryForMs`. */
  async replay(meta: RequestMeta, endpointId: string, deliveryId: string): Promise<DeliveryWithId> {
    const d = await this.delivery(endpointId, deliveryId);
    const now = this.#deps.now();
    const after = await this.#deliveries
      .findOneAndUpdate(
        { _id: d._id, status: { $ne: 'sending' } },
        {
          $set: {
            status: 'pending',
            nextAttemptAt: now,
            retryUntil: new Date(now.getTime() + this.#deps.settings.retryForMs),
            leaseUntil: null,
            attempts: 0,
          },
        },
        { returnDocument: 'after' },
      )
      .lean<DeliveryWithId>()
      .exec();
    if (!after) throw new AppError(409, CommonErrorCode.CONFLICT, '该投递正在发送中，请稍后再试');
    await this.#deps.audit.record(meta, {
      action: 'webhook.replay',
      entityType: 'webhook',
      entityId: d.endpointId,
      changes: { status: { before: d.status, after: 'pending' } },
      note: `重新投递 ${d.eventId}`,
    });
    return after;
  }

  // ---- the dispatcher: audit log → deliveries ----------------------------------------------

  /**
   * One pass: audit entries after the cursor (minus the look-back) whose action maps to an event, for every
   * active endpoint subscribed to it and registered before the entry, become deliveries (unique key: a second
   * pass, another process or the look-back never writes one twice). Answers how many deliveries it wrote.
   */
  async dispatch(): Promise<number> {
    const now = this.#deps.now();
    const { lookbackMs, retryForMs } = this.#deps.settings;
    const endpoints = (await this.#endpoints.find({ active: true }).lean<EndpointWithId[]>().exec()).filter((e) => e.events.length);
    if (!endpoints.length) return 0;
    // positions are audit ids (their time is the writer's clock): from the cursor minus the look-back, never
    // from before the oldest endpoint existed
    const cursor = await this.#cursor.findById(CURSOR_ID).lean().exec();
    const oldest = Math.min(...endpoints.map((e) => e.createdAt.getTime()));
    const startMs = Math.max(oldest, cursor ? cursor.lastId.getTimestamp().getTime() : 0) - lookbackMs;
    let from = Types.ObjectId.createFromTime(Math.max(0, Math.floor(startMs / 1000)));
    const last = cursor?.lastId ?? from;
    let written = 0;
    let maxId = last;
    for (;;) {
      const entries = await this.#deps.audit.tail(from, WEBHOOK_ACTIONS, DISPATCH_BATCH);
      if (!entries.length) break;
      const existing = new Set(
        (
          await this.#deliveries
            .find({ auditId: { $in: entries.map((e) => e._id) } }, { auditId: 1, endpointId: 1, type: 1 })
            .lean()
            .exec()
        ).map((d) => `${String(d.auditId)}:${String(d.endpointId)}:${d.type}`),
      );
      for (const entry of entries) {
        const types = eventTypesOf(entry, this.#deps.stages);
        const wanted = endpoints.flatMap((ep) =>
          types
            .filter((t) => ep.events.includes(t) && ep.createdAt.getTime() <= entry.at.getTime())
            .filter((t) => !existing.has(`${String(entry._id)}:${String(ep._id)}:${t}`))
            .map((t) => ({ ep, type: t })),
        );
        if (wanted.length) {
          const data = (await this.#deps.load(entry.entityType, entry.entityId)) ?? { id: entry.entityId };
          for (const { ep, type } of wanted) {
            const eventId = `${String(entry._id)}.${type}`;
            const body = JSON.stringify({ id: eventId, type, time: entry.at.toISOString(), data, changes: entry.changes ?? {} });
            try {
              await this.#deliveries.create({
                endpointId: ep._id,
                auditId: entry._id,
                type,
                eventId,
                recordKey: `${entry.entityType}:${entry.entityId}`,
                body,
                status: 'pending',
                attempts: 0,
                nextAttemptAt: now,
                leaseUntil: null,
                retryUntil: new Date(now.getTime() + retryForMs),
                deliveredAt: null,
                lastStatus: null,
                lastError: null,
                log: [],
                createdAt: now,
              });
              written++;
            } catch (err) {
              if (!isDuplicateKey(err)) throw err; // another pass wrote it
            }
          }
        }
        if (String(entry._id) > String(maxId)) maxId = entry._id;
      }
      if (entries.length < DISPATCH_BATCH) break;
      from = entries[entries.length - 1]!._id;
    }
    if (!maxId.equals(last)) await this.#cursor.updateOne({ _id: CURSOR_ID }, { $max: { lastId: maxId } }, { upsert: true }).exec();
    return written;
  }

  // ---- the sender -----------------------------------------------------------------------------

  /**
   * Delivers what is due: pending deliveries whose time has come, and `sending` ones whose sender died (lease
   * over). Endpoints are served side by side, each one's deliveries in audit order; a delivery waits while an
   * earlier event of the same record for the same endpoint is still pending or retrying. Answers how many
   * attempts it made.
   */
  async send(): Promise<number> {
    const now = this.#deps.now();
    const due = await this.#deliveries
      .find({
        $or: [
          { status: 'pending', nextAttemptAt: { $lte: now } },
          { status: 'sending', leaseUntil: { $lt: now } },
        ],
      })
      .sort({ auditId: 1 })
      .limit(SEND_BATCH)
      .lean<DeliveryWithId[]>()
      .exec();
    if (!due.length) return 0;
    const byEndpoint = new Map<string, DeliveryWithId[]>();
    for (const d of due) byEndpoint.set(String(d.endpointId), [...(byEndpoint.get(String(d.endpointId)) ?? []), d]);
    const endpoints = new Map(
      (
        await this.#endpoints
          .find({ _id: { $in: [...byEndpoint.keys()].map(oid) } })
          .lean<EndpointWithId[]>()
          .exec()
      ).map((e) => [String(e._id), e]),
    );
    const counts = await Promise.all(
      [...byEndpoint].map(async ([epId, list]) => {
        let n = 0;
        for (const d of list) if (await this.attempt(d, endpoints.get(epId) ?? null)) n++;
        return n;
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  /** One attempt at one delivery, claimed first; false when it was not its turn or another sender took it. */
  private async attempt(d: DeliveryWithId, ep: EndpointWithId | null): Promise<boolean> {
    const { timeoutMs, responseCapBytes } = this.#deps.settings;
    // a record's events in order: wait for an earlier one still on its way to this endpoint
    const earlier = await this.#deliveries
      .exists({ endpointId: d.endpointId, recordKey: d.recordKey, auditId: { $lt: d.auditId }, status: { $in: ['pending', 'sending'] } })
      .exec();
    if (earlier) return false;
    const now = this.#deps.now();
    const claimed = await this.#deliveries
      .findOneAndUpdate(
        { _id: d._id, status: d.status, attempts: d.attempts, leaseUntil: d.leaseUntil },
        { $set: { status: 'sending', leaseUntil: new Date(now.getTime() + timeoutMs + 60_000) } },
        { returnDocument: 'after' },
      )
      .lean<DeliveryWithId>()
      .exec();
    if (!claimed) return false;
    let result: DeliveryAttempt;
    if (!ep || !ep.active) {
      result = { at: now, status: null, latencyMs: 0, response: '', error: ep ? 'endpoint disabled' : 'endpoint deleted' };
    } else {
      try {
        const target = await checkWebhookTarget(ep.url, { allowPrivate: this.#deps.settings.allowPrivate, resolve: this.#deps.resolve });
        const t = Math.floor(now.getTime() / 1000);
        const r = await this.transport(
          target,
          claimed.body,
          { [SIGNATURE_HEADER]: signatureHeader(ep.secret, t, claimed.body), [EVENT_ID_HEADER]: claimed.eventId, [EVENT_TYPE_HEADER]: claimed.type },
          { timeoutMs, capBytes: responseCapBytes },
        );
        result = { at: now, ...r };
      } catch (err) {
        result = { at: now, status: null, latencyMs: 0, response: '', error: err instanceof Error ? err.message : String(err) };
      }
    }
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const attempts = claimed.attempts + 1;
    const next = new Date(now.getTime() + retryDelayMs(attempts));
    const gaveUp = !ok && (next > claimed.retryUntil || !ep || !ep.active);
    await this.#deliveries
      .updateOne(
        { _id: claimed._id, status: 'sending' },
        {
          $set: {
            status: ok ? 'delivered' : gaveUp ? 'failed' : 'pending',
            attempts,
            nextAttemptAt: next,
            leaseUntil: null,
            deliveredAt: ok ? now : null,
            lastStatus: result.status,
            lastError: ok ? null : (result.error ?? `HTTP ${result.status}`),
          },
          $push: { log: { $each: [result], $slice: -LOG_KEEP } },
        },
      )
      .exec();
    return true;
  }
}
