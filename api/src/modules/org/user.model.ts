import { Schema, type Connection, type HydratedDocument, type Model, type Types } from 'mongoose';
import { DATA_SCOPES, ROLES, type DataScope, type Role } from '@crm/shared';

export interface User {
  name: string;
  mobile?: string;
  email?: string;
  title?: string;
  /** The user's id on each chat platform; a user may exist on one or both. */
  identities: { wecom?: string; dingtalk?: string };
  departmentIds: Types.ObjectId[];
  leaderId: Types.ObjectId | null;
  /** Direct leader first, then that leader's leader, and so on; kept in step by OrgService. */
  leaderChain: Types.ObjectId[];
  roles: Role[];
  dataScope: DataScope;
  status: 'active' | 'resigned';
  resignedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}
export type UserDoc = HydratedDocument<User>;

const userSchema = new Schema<User>(
  {
    name: { type: String, required: true, trim: true, maxlength: 64 },
    mobile: { type: String },
    email: { type: String, lowercase: true, trim: true },
    title: { type: String, maxlength: 64 },
    identities: {
      wecom: { type: String },
      dingtalk: { type: String },
    },
    departmentIds: { type: [Schema.Types.ObjectId], default: [] },
    leaderId: { type: Schema.Types.ObjectId, default: null },
    leaderChain: { type: [Schema.Types.ObjectId], default: [] },
    roles: { type: [String], enum: ROLES, default: ['rep'] },
    dataScope: { type: String, enum: DATA_SCOPES, default: 'own' },
    status: { type: String, enum: ['active', 'resigned'], default: 'active' },
    resignedAt: { type: Date },
  },
  { timestamps: true, strict: 'throw' },
);
userSchema.index({ 'identities.wecom': 1 }, { unique: true, sparse: true });
userSchema.index({ 'identities.dingtalk': 1 }, { unique: true, sparse: true });
userSchema.index({ departmentIds: 1 });
userSchema.index({ leaderChain: 1 });

export function userModel(conn: Connection): Model<User> {
  return conn.models.User ?? conn.model<User>('User', userSchema);
}
