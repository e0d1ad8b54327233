import { Schema, type Connection, type Model } from 'mongoose';

/** Every inbound platform delivery, once: the unique key makes retries and duplicate callbacks harmless across restarts and instances. */
export interface InboundRecord {
  key: string;
  channel: string;
  platformUserId: string;
  receivedAt: Date;
}

const inboundSchema = new Schema<InboundRecord>(
  {
    key: { type: String, required: true },
    channel: { type: String, required: true },
    platformUserId: { type: String, required: true },
    receivedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
inboundSchema.index({ key: 1 }, { unique: true });
// Cleanup only (platforms retry within minutes); correctness never depends on it, so a server without TTL is fine.
inboundSchema.index({ receivedAt: 1 }, { expireAfterSeconds: 7 * 86_400 });

export function inboundModel(conn: Connection): Model<InboundRecord> {
  return conn.models.BotInbound ?? conn.model<InboundRecord>('BotInbound', inboundSchema, 'bot_inbound');
}

/** Records the delivery; false when it was seen before. */
export async function firstDelivery(model: Model<InboundRecord>, key: string, channel: string, platformUserId: string, at: Date): Promise<boolean> {
  try {
    await model.create({ key, channel, platformUserId, receivedAt: at });
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === 11000) return false;
    throw err;
  }
}
