import { Schema, type Connection, type Model, type Types } from 'mongoose';

/** An endpoint an admin registered (`webhook_endpoints`). */
export interface WebhookEndpoint {
  url: string;
  /** Event types it receives (`WEBHOOK_EVENT_TYPES`). */
  events: string[];
  /** The HMAC key; shown once, at creation. */
  secret: string;
  description: string | null;
  active: boolean;
  createdById: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}

export const DELIVERY_STATUSES = ['pending', 'sending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryAttempt {
  at: Date;
  status: number | null;
  latencyMs: number;
  /** The receiver's answer, capped (config webhooks.responseCapBytes). */
  response: string;
  error: string | null;
}

/**
 * One event for one endpoint (`webhook_deliveries`): unique per (audit entry, endpoint, type), so the
 * dispatcher never writes one twice. The body is frozen when written: every attempt and replay sends the
 * same bytes (only the signature's timestamp changes).
 */
export interface WebhookDelivery {
  endpointId: Types.ObjectId;
  /** The audit entry it comes from: the outbox position (ordering per record follows it). */
  auditId: Types.ObjectId;
  type: string;
  /** `X-CRM-Event-Id` and the body's `id`: the same for every endpoint and every attempt. */
  eventId: string;
  /** `<entityType>:<entityId>`: a record's events go out one after the other. */
  recordKey: string;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  /** While `sending`: when a sender that died is taken to have let go. */
  leaseUntil: Date | null;
  /** Retried until then (24 h after it was written or replayed), then `failed`. */
  retryUntil: Date;
  deliveredAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  /** The most recent attempts, newest last (at most 20). */
  log: DeliveryAttempt[];
  createdAt: Date;
}

/** Where the dispatcher is in the audit log (`webhook_cursor`, one document). */
export interface WebhookCursor {
  _id: string;
  lastId: Types.ObjectId;
}

const endpointSchema = new Schema<WebhookEndpoint>(
  {
    url: { type: String, required: true, maxlength: 2048 },
    events: { type: [String], default: [] },
    secret: { type: String, required: true },
    description: { type: String, default: null, maxlength: 200 },
    active: { type: Boolean, default: true },
    createdById: { type: Schema.Types.ObjectId, default: null },
  },
  { timestamps: true, strict: 'throw' },
);

const attemptSchema = new Schema<DeliveryAttempt>(
  { at: Date, status: { type: Number, default: null }, latencyMs: Number, response: String, error: { type: String, default: null } },
  { _id: false },
);

const deliverySchema = new Schema<WebhookDelivery>(
  {
    endpointId: { type: Schema.Types.ObjectId, required: true },
    auditId: { type: Schema.Types.ObjectId, required: true },
    type: { type: String, required: true },
    eventId: { type: String, required: true },
    recordKey: { type: String, required: true },
    body: { type: String, required: true },
    status: { type: String, enum: DELIVERY_STATUSES, default: 'pending' },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    leaseUntil: { type: Date, default: null },
    retryUntil: { type: Date, required: true },
    deliveredAt: { type: Date, default: null },
    lastStatus: { type: Number, default: null },
    lastError: { type: String, default: null },
    log: { type: [attemptSchema], default: [] },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, strict: 'throw' },
);
deliverySchema.index({ auditId: 1, endpointId: 1, type: 1 }, { unique: true });
deliverySchema.index({ status: 1, nextAttemptAt: 1 });
deliverySchema.index({ endpointId: 1, recordKey: 1, auditId: 1 });
deliverySchema.index({ endpointId: 1, _id: -1 });

const cursorSchema = new Schema<WebhookCursor>(
  { _id: { type: String, required: true }, lastId: { type: Schema.Types.ObjectId, required: true } },
  { versionKey: false },
);

export function webhookModels(conn: Connection): {
  endpoints: Model<WebhookEndpoint>;
  deliveries: Model<WebhookDelivery>;
  cursor: Model<WebhookCursor>;
} {
  return {
    endpoints:
      (conn.models.WebhookEndpoint as Model<WebhookEndpoint> | undefined) ??
      conn.model<WebhookEndpoint>('WebhookEndpoint', endpointSchema, 'webhook_endpoints'),
    deliveries:
      (conn.models.WebhookDelivery as Model<WebhookDelivery> | undefined) ??
      conn.model<WebhookDelivery>('WebhookDelivery', deliverySchema, 'webhook_deliveries'),
    cursor: (conn.models.WebhookCursor as Model<WebhookCursor> | undefined) ?? conn.model<WebhookCursor>('WebhookCursor', cursorSchema, 'webhook_cursor'),
  };
}
