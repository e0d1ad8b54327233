import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * One document per customer (`pool_clocks`, `_id` = the customer's id): the reclaim clock while it is owned
 * (`reclaimAt`, the due date the reclaim job finds through its index; a lower bound, checked against the
 * customer before anything happens) and, once returned, who had it and when (the claim cooldown).
 */
export interface PoolClock {
  _id: Types.ObjectId;
  state: 'owned' | 'pool';
  ownerId: Types.ObjectId | null;
  /** The pool whose rules apply (the owner's pool) and where it returns. */
  poolId: string;
  tier: 'A' | 'B' | 'C' | 'D';
  since: Date;
  lastFollowUpAt: Date | null;
  lastOpportunityAt: Date | null;
  contractEndsAt: Date | null;
  /** When the reclaim job looks at it next (due, or a re-check); null in the pool. */
  reclaimAt: Date | null;
  reason: string | null;
  /** When the owner is warned (null once warned for this due date, or in the pool). */
  warnAt: Date | null;
  /** The due date the owner was last warned about. */
  warnedFor: Date | null;
  locked: boolean;
  extendedUntil: Date | null;
  previousOwnerId: Types.ObjectId | null;
  returnedAt: Date | null;
  returnReason: string | null;
  updatedAt: Date;
}

const clockSchema = new Schema<PoolClock>(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    state: { type: String, enum: ['owned', 'pool'], required: true },
    ownerId: { type: Schema.Types.ObjectId, default: null },
    poolId: { type: String, required: true },
    tier: { type: String, required: true },
    since: { type: Date, required: true },
    lastFollowUpAt: { type: Date, default: null },
    lastOpportunityAt: { type: Date, default: null },
    contractEndsAt: { type: Date, default: null },
    reclaimAt: { type: Date, default: null },
    reason: { type: String, default: null },
    warnAt: { type: Date, default: null },
    warnedFor: { type: Date, default: null },
    locked: { type: Boolean, default: false },
    extendedUntil: { type: Date, default: null },
    previousOwnerId: { type: Schema.Types.ObjectId, default: null },
    returnedAt: { type: Date, default: null },
    returnReason: { type: String, default: null },
    updatedAt: { type: Date, default: null },
  },
  { versionKey: false, strict: 'throw' },
);
// the reclaim job's two queries: due clocks and due warnings, oldest first (null sorts out of a $lte range)
clockSchema.index({ reclaimAt: 1 });
clockSchema.index({ warnAt: 1 });
clockSchema.index({ ownerId: 1, state: 1 });

export function poolClockModel(conn: Connection): Model<PoolClock> {
  return (conn.models.PoolClock as Model<PoolClock> | undefined) ?? conn.model<PoolClock>('PoolClock', clockSchema, 'pool_clocks');
}

/** Claims per rep per business day (`pool_claim_days`, `_id` = `<userId>:<YYYY-MM-DD>`): one conditional increment per claim. */
export interface PoolClaimDay {
  _id: string;
  n: number;
}

const claimDaySchema = new Schema<PoolClaimDay>({ _id: { type: String, required: true }, n: { type: Number, default: 0 } }, { versionKey: false });

export function poolClaimDayModel(conn: Connection): Model<PoolClaimDay> {
  return (conn.models.PoolClaimDay as Model<PoolClaimDay> | undefined) ?? conn.model<PoolClaimDay>('PoolClaimDay', claimDaySchema, 'pool_claim_days');
}

/** The reclaim job's checkpoint of the clocks' backfill (`pool_state`, one document per key). */
export interface PoolState {
  _id: string;
  afterId: Types.ObjectId | null;
}
const stateSchema = new Schema<PoolState>(
  { _id: { type: String, required: true }, afterId: { type: Schema.Types.ObjectId, default: null } },
  { versionKey: false },
);

export function poolStateModel(conn: Connection): Model<PoolState> {
  return (conn.models.PoolState as Model<PoolState> | undefined) ?? conn.model<PoolState>('PoolState', stateSchema, 'pool_state');
}
