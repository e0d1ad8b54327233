import { Schema, type Connection, type Model, type Types } from 'mongoose';

export const AUDIT_CHANNELS = ['api', 'bot', 'miniapp', 'import', 'system', 'web'] as const;
export type AuditChannel = (typeof AUDIT_CHANNELS)[number];

export interface FieldChange {
  before: unknown;
  after: unknown;
}

export interface AuditEntry {
  at: Date;
  actorId: Types.ObjectId | null;
  actorName?: string;
  action: string;
  entityType: string;
  entityId: string;
  changes: Record<string, FieldChange>;
  requestId: string;
  channel: AuditChannel;
  note?: string;
}

const auditSchema = new Schema<AuditEntry>(
  {
    at: { type: Date, required: true },
    actorId: { type: Schema.Types.ObjectId, default: null },
    actorName: { type: String },
    action: { type: String, required: true },
    entityType: { type: String, required: true },
    entityId: { type: String, required: true },
    changes: { type: Schema.Types.Mixed, default: {} },
    requestId: { type: String, required: true },
    channel: { type: String, enum: AUDIT_CHANNELS, required: true },
    note: { type: String },
  },
  { versionKey: false, strict: 'throw', minimize: false },
);
auditSchema.index({ entityType: 1, entityId: 1, at: -1 });
auditSchema.index({ actorId: 1, at: -1 });
auditSchema.index({ at: -1 });

/** Append-only: every mongoose path that would change or remove an entry refuses. */
const WRITES = ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace', 'deleteOne', 'deleteMany', 'findOneAndDelete'] as const;
for (const op of WRITES) {
  auditSchema.pre(op, function refuse() {
    throw new Error(`audit log is append-only: ${op} is not allowed`);
  });
}
auditSchema.pre('save', function onlyNew() {
  if (!this.isNew) throw new Error('audit log is append-only: an entry cannot be changed');
});

export function auditModel(conn: Connection): Model<AuditEntry> {
  return conn.models.AuditEntry ?? conn.model<AuditEntry>('AuditEntry', auditSchema, 'audit_log');
}
