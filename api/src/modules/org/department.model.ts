import { Schema, type Connection, type HydratedDocument, type Model, type Types } from 'mongoose';

export interface Department {
  name: string;
  parentId: Types.ObjectId | null;
  /** Every department above this one, root first; kept in step with parentId by OrgService. */
  ancestorIds: Types.ObjectId[];
  leaderIds: Types.ObjectId[];
  order: number;
  status: 'active' | 'archived';
  /** Ids in the platforms' own directories, for sync. */
  externalIds: { wecom?: string; dingtalk?: string };
  createdAt: Date;
  updatedAt: Date;
}
export type DepartmentDoc = HydratedDocument<Department>;

const departmentSchema = new Schema<Department>(
  {
    name: { type: String, required: true, trim: true, maxlength: 64 },
    parentId: { type: Schema.Types.ObjectId, default: null },
    ancestorIds: { type: [Schema.Types.ObjectId], default: [] },
    leaderIds: { type: [Schema.Types.ObjectId], default: [] },
    order: { type: Number, default: 0 },
    status: { type: String, enum: ['active', 'archived'], default: 'active' },
    externalIds: {
      wecom: { type: String },
      dingtalk: { type: String },
    },
  },
  { timestamps: true, strict: 'throw' },
);
departmentSchema.index({ parentId: 1, name: 1 }, { unique: true });
departmentSchema.index({ ancestorIds: 1 });
departmentSchema.index({ 'externalIds.wecom': 1 }, { unique: true, sparse: true });
departmentSchema.index({ 'externalIds.dingtalk': 1 }, { unique: true, sparse: true });

export function departmentModel(conn: Connection): Model<Department> {
  return conn.models.Department ?? conn.model<Department>('Department', departmentSchema);
}
