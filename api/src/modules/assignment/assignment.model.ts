import { Schema, type Connection, type Model, type Types } from 'mongoose';

export const ASSIGNMENT_STATES = ['pending', 'accepted', 'returned', 'timed-out', 'pool', 'superseded'] as const;
export type AssignmentState = (typeof ASSIGNMENT_STATES)[number];

/**
 * One lead assignment (`assignments`): where the rules sent a new customer and why ("按地区：华南 → 黄磊"),
 * and what the new owner did (接受 / 退回公海), or that nobody accepted in time. Every change is conditional on the state read.
 */
export interface Assignment {
  _id: Types.ObjectId;
  customerId: Types.ObjectId;
  ruleId: string;
  ownerId: Types.ObjectId | null;
  poolId: string | null;
  /** Where it goes when returned or not accepted in time (the group's pool). */
  returnPoolId: string;
  reason: string;
  state: AssignmentState;
  assignedAt: Date;
  acceptBy: Date | null;
  decidedAt: Date | null;
}

const schema = new Schema<Assignment>(
  {
    customerId: { type: Schema.Types.ObjectId, required: true },
    ruleId: { type: String, required: true },
    ownerId: { type: Schema.Types.ObjectId, default: null },
    poolId: { type: String, default: null },
    returnPoolId: { type: String, required: true },
    reason: { type: String, required: true },
    state: { type: String, enum: ASSIGNMENT_STATES, required: true },
    assignedAt: { type: Date, required: true },
    acceptBy: { type: Date, default: null },
    decidedAt: { type: Date, default: null },
  },
  { versionKey: false, strict: 'throw' },
);
schema.index({ state: 1, acceptBy: 1 });
schema.index({ customerId: 1, _id: -1 });
schema.index({ ownerId: 1, state: 1 });

export function assignmentModel(conn: Connection): Model<Assignment> {
  return (conn.models.Assignment as Model<Assignment> | undefined) ?? conn.model<Assignment>('Assignment', schema, 'assignments');
}

/** Round-robin position per group (`assignment_cursors`): one atomic increment per lead. */
export interface AssignmentCursor {
  _id: string;
  n: number;
}
const cursorSchema = new Schema<AssignmentCursor>({ _id: { type: String, required: true }, n: { type: Number, default: 0 } }, { versionKey: false });

export function assignmentCursorModel(conn: Connection): Model<AssignmentCursor> {
  return (
    (conn.models.AssignmentCursor as Model<AssignmentCursor> | undefined) ??
    conn.model<AssignmentCursor>('AssignmentCursor', cursorSchema, 'assignment_cursors')
  );
}
