import { Schema, type Connection, type Model } from 'mongoose';
import type { BotEvent } from './bot-event';

/**
 * Every inbound platform delivery, stored once before it is acknowledged: the unique key makes
 * retries and duplicate callbacks harmless across restarts and instances, and an event whose process
 * died before handling it is picked up again (`handledAt` still null after its lease).
 */
export interface InboundRecord {
  key: string;
  channel: string;
  platformUserId: string;
  receivedAt: Date;
  event: BotEvent;
  handledAt: Date | null;
  /** While a worker handles it; an expired lease means that worker died. */
  leaseUntil: Date | null;
  attempts: number;
}

const inboundSchema = new Schema<InboundRecord>(
  {
    key: { type: String, required: true },
    channel: { type: String, required: true },
    platformUserId: { type: String, required: true },
    receivedAt: { type: Date, required: true },
    event: { type: Schema.Types.Mixed, required: true },
    handledAt: { type: Date, default: null },
    leaseUntil: { type: Date, default: null },
    attempts: { type: Number, default: 0 },
  },
  { versionKey: false, minimize: false },
);
inboundSchema.index({ key: 1 }, { unique: true });
inboundSchema.index({ handledAt: 1, leaseUntil: 1 });
// Cleanup only (platforms retry within minutes); correctness never depends on it, so a server without TTL is fine.
inboundSchema.index({ receivedAt: 1 }, { expireAfterSeconds: 7 * 86_400 });

export function inboundModel(conn: Connection): Model<InboundRecord> {
  return conn.models.BotInbound ?? conn.model<InboundRecord>('BotInbound', inboundSchema, 'bot_inbound');
}
