import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One client request made safe to repeat: `_id` is `<userId>:<Idempotency-Key>`, so the key is unique per
 * user without another index. `pending` while the first request runs (with a lease), then `done` with the
 * answer to replay.
 */
export interface IdempotentRequest {
  _id: string;
  /** Method, path and a hash of the body: the same key with a different request is refused. */
  fingerprint: string;
  state: 'pending' | 'done';
  /** While pending: after this, the first request is taken to have died and the key may run again. */
  leaseUntil: Date | null;
  status: number | null;
  body: unknown;
  createdAt: Date;
}

const schema = new Schema<IdempotentRequest>(
  {
    _id: { type: String, required: true },
    fingerprint: { type: String, required: true },
    state: { type: String, required: true, enum: ['pending', 'done'] },
    leaseUntil: { type: Date, default: null },
    status: { type: Number, default: null },
    body: { type: Schema.Types.Mixed, default: null },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
// Cleanup only: keys are kept a day (clients retry within minutes); correctness never depends on it.
schema.index({ createdAt: 1 }, { expireAfterSeconds: 86_400 });

export function idempotencyModel(conn: Connection): Model<IdempotentRequest> {
  return conn.models.IdempotentRequest ?? conn.model<IdempotentRequest>('IdempotentRequest', schema, 'idempotent_requests');
}
