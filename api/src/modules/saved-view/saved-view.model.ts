import { Schema, type Connection, type Model, type Types } from 'mongoose';

/** A named set of filters one user keeps for a table of the workbench (客户: 我的 A 类客户, 公海里的展会客户 …). */
export interface SavedView {
  userId: Types.ObjectId;
  /** Which table: `customers` for now. */
  page: string;
  name: string;
  /** The list endpoint's query parameters (validated against the page's schema when saved). */
  filters: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
}

const schema = new Schema<SavedView>(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    page: { type: String, required: true },
    name: { type: String, required: true },
    filters: { type: Schema.Types.Mixed, required: true, default: {} },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
// one name per user and table (a second save with the same name replaces the filters)
schema.index({ userId: 1, page: 1, name: 1 }, { unique: true });

export function savedViewModel(conn: Connection): Model<SavedView> {
  return conn.models.SavedView ?? conn.model<SavedView>('SavedView', schema, 'saved_views');
}
