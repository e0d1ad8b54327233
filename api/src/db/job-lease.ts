import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One document per scheduled job (`job_leases`): who runs it now (`holder` until `leaseUntil`) and the last
 * run recorded done (`doneKey`, e.g. the day of a morning digest). Taken with a conditional update, so any
 * number of processes may try and one wins; a holder that dies loses it when the lease runs out.
 */
export interface JobLease {
  _id: string;
  holder: string | null;
  leaseUntil: Date | null;
  doneKey: string | null;
  doneAt: Date | null;
}

/** What the scheduler needs from the leases (a port, so a test can make the database "unavailable"). */
export interface JobLeasePort {
  /** True when `holder` now holds the job's lease (taken, or renewed because it held it already). */
  acquire(job: string, holder: string, leaseMs: number, now: Date): Promise<boolean>;
  release(job: string, holder: string): Promise<void>;
  isDone(job: string, key: string): Promise<boolean>;
  /** Records the run `key` done (only while `holder` holds the lease). */
  markDone(job: string, key: string, holder: string, now: Date): Promise<void>;
}

const schema = new Schema<JobLease>(
  {
    _id: { type: String, required: true },
    holder: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    doneKey: { type: String, default: null },
    doneAt: { type: Date, default: null },
  },
  { versionKey: false },
);

export function jobLeaseModel(conn: Connection): Model<JobLease> {
  return (conn.models.JobLease as Model<JobLease> | undefined) ?? conn.model<JobLease>('JobLease', schema, 'job_leases');
}

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

export class MongoJobLeases implements JobLeasePort {
  readonly model: Model<JobLease>;

  constructor(conn: Connection) {
    this.model = jobLeaseModel(conn);
  }

  async acquire(job: string, holder: string, leaseMs: number, now: Date): Promise<boolean> {
    try {
      // free (never taken, released, or expired) or ours; otherwise the upsert collides on _id and we lose
      const res = await this.model
        .updateOne(
          { _id: job, $or: [{ holder: null }, { leaseUntil: { $lt: now } }, { holder }] },
          { $set: { holder, leaseUntil: new Date(now.getTime() + leaseMs) }, $setOnInsert: { doneKey: null, doneAt: null } },
          { upsert: true },
        )
        .exec();
      return res.modifiedCount + res.upsertedCount === 1 || res.matchedCount === 1;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async release(job: string, holder: string): Promise<void> {
    await this.model.updateOne({ _id: job, holder }, { $set: { holder: null, leaseUntil: null } }).exec();
  }

  async isDone(job: string, key: string): Promise<boolean> {
    return (await this.model.exists({ _id: job, doneKey: key }).exec()) !== null;
  }

  async markDone(job: string, key: string, holder: string, now: Date): Promise<void> {
    await this.model.updateOne({ _id: job, holder }, { $set: { doneKey: key, doneAt: now } }).exec();
  }
}
