import { Schema, type Types } from 'mongoose';

/**
 * The fields the data scope reads. A customer has them; every record that belongs to a customer
 * (contact, follow-up, opportunity, contract) carries a copy, kept in step by CustomerService.
 */
export interface ScopeFields {
  ownerId: Types.ObjectId | null;
  departmentId: Types.ObjectId | null;
  /** Partners the record is shared with (read-only for them). */
  sharedWith: Types.ObjectId[];
}

export const scopeFieldsDefinition = {
  ownerId: { type: Schema.Types.ObjectId, default: null },
  departmentId: { type: Schema.Types.ObjectId, default: null },
  sharedWith: { type: [Schema.Types.ObjectId], default: [] },
};
