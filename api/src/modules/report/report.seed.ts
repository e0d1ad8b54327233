import { Types } from 'mongoose';
import { CUSTOMER_SOURCES, type StageDefinition } from '@crm/shared';

/**
 * Generated CRM history for the reports' benchmark and tests (pure: it only makes documents; the caller inserts
 * them in batches, by collection name). Deterministic for a seed. Distributions: deals created evenly over the
 * span; amounts log-uniform ¥5,000–¥2,000,000; each deal moves up the open stages (5–25 days per stage) and at
 * each stage is lost with 22 % or won at the last one with 45 %; a deal whose next move would be after `now`
 * stays open where it is. 0–6 follow-ups per deal (40 % logged in chat), by the owner or, one in ten, the leader.
 * Four in five won deals get a signed contract a few days later (some voided).
 */
export interface SeedPerson {
  userId: Types.ObjectId;
  departmentId: Types.ObjectId | null;
  leaderId?: Types.ObjectId | null;
}

export interface SeedBatch {
  customers: Array<Record<string, unknown>>;
  opportunities: Array<Record<string, unknown>>;
  follow_ups: Array<Record<string, unknown>>;
  contracts: Array<Record<string, unknown>>;
}

export const LOST_REASONS = ['价格太高', '选择了竞品', '预算取消', '需求变化', '联系不上', '决策人变更'];
const DAY = 86_400_000;

/** mulberry32 */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function* generateReportData(opts: {
  deals: number;
  people: SeedPerson[];
  stages: StageDefinition[];
  now: Date;
  spanDays: number;
  batchSize?: number;
  seed?: number;
  /** Deals per customer (default 2). */
  dealsPerCustomer?: number;
  /** Follow-ups per deal: 0 to this many, evenly (default 6). */
  maxFollowUps?: number;
}): Generator<SeedBatch> {
  const rnd = prng(opts.seed ?? 42);
  const open = opts.stages.filter((s) => s.outcome === 'open');
  const won = opts.stages.find((s) => s.outcome === 'won')!.key;
  const lost = opts.stages.find((s) => s.outcome === 'lost')!.key;
  const batchSize = opts.batchSize ?? 2000;
  const perCustomer = opts.dealsPerCustomer ?? 2;
  const now = opts.now.getTime();
  const start = now - opts.spanDays * DAY;
  let batch: SeedBatch = { customers: [], opportunities: [], follow_ups: [], contracts: [] };
  let customer: { _id: Types.ObjectId; person: SeedPerson; createdAt: number } | null = null;
  let contractNo = 0;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

  for (let i = 0; i < opts.deals; i++) {
    if (!customer || i % perCustomer === 0) {
      const person = pick(opts.people);
      const createdAt = start + rnd() * (now - start);
      customer = { _id: new Types.ObjectId(), person, createdAt };
      const owned = rnd() > 0.03;
      batch.customers.push({
        _id: customer._id,
        name: `客户${i}`,
        company: `测试公司${i}`,
        source: pick(CUSTOMER_SOURCES),
        tier: pick(['A', 'B', 'B', 'C', 'C', 'C', 'D']),
        tags: [],
        status: owned ? 'owned' : 'pool',
        ownerId: owned ? person.userId : null,
        departmentId: owned ? person.departmentId : null,
        sharedWith: [],
        protectionEndsAt: null,
        lastFollowUpAt: null,
        nextFollowUpAt: null,
        searchKeys: [],
        dedupe: { mobiles: [], emails: [], personNames: [] },
        createdBy: person.userId,
        createdAt: new Date(createdAt),
        updatedAt: new Date(createdAt),
      });
    }
    const c = batch.customers.at(-1)!;
    const ownerId = (c.ownerId as Types.ObjectId | null) ?? null;
    const departmentId = (c.departmentId as Types.ObjectId | null) ?? null;
    const createdAt = Math.max(customer.createdAt, start + rnd() * (now - start));
    const amountFen = Math.round(Math.exp(Math.log(500_000) + rnd() * (Math.log(200_000_000) - Math.log(500_000))) / 100) * 100;
    const history: Array<{ stage: string; enteredAt: Date; byId: Types.ObjectId | null }> = [];
    let t = createdAt;
    let stage = open[0]!.key;
    history.push({ stage, enteredAt: new Date(t), byId: ownerId });
    let closedAt: number | null = null;
    let lostReason: string | null = null;
    for (let idx = 0; ;) {
      const next = t + (5 + rnd() * 20) * DAY;
      if (next > now) break;
      const r = rnd();
      if (r < 0.22) {
        stage = lost;
        lostReason = pick(LOST_REASONS);
      } else if (idx === open.length - 1) {
        stage = r < 0.67 ? won : lost;
        if (stage === lost) lostReason = pick(LOST_REASONS);
      } else {
        idx += idx + 2 < open.length && rnd() < 0.05 ? 2 : 1; // a few skip a stage
        stage = open[idx]!.key;
      }
      t = next;
      history.push({ stage, enteredAt: new Date(t), byId: ownerId });
      if (stage === won || stage === lost) {
        closedAt = t;
        break;
      }
    }
    const dealId = new Types.ObjectId();
    const last = history.at(-1)!;
    batch.opportunities.push({
      _id: dealId,
      customerId: customer._id,
      name: `商机${i}`,
      amountFen,
      stage,
      stageEnteredAt: last.enteredAt,
      stageHistory: history,
      expectedCloseDate: null,
      probability: opts.stages.find((s) => s.key === stage)!.probability,
      lostReason,
      closedAt: closedAt ? new Date(closedAt) : null,
      ownerId,
      departmentId,
      sharedWith: [],
      createdAt: new Date(createdAt),
      updatedAt: new Date(closedAt ?? last.enteredAt.getTime()),
    });
    const followUps = Math.floor(rnd() * ((opts.maxFollowUps ?? 6) + 1));
    let lastFollowUp = 0;
    for (let f = 0; f < followUps; f++) {
      const at = createdAt + rnd() * ((closedAt ?? now) - createdAt);
      lastFollowUp = Math.max(lastFollowUp, at);
      const author = rnd() < 0.1 && customer.person.leaderId ? customer.person.leaderId : customer.person.userId;
      batch.follow_ups.push({
        _id: new Types.ObjectId(),
        customerId: customer._id,
        contactId: null,
        authorId: author,
        type: pick(['visit', 'call', 'wechat', 'meeting', 'email']),
        content: `跟进${i}-${f}`,
        happenedAt: new Date(at),
        location: null,
        nextStep: null,
        source: rnd() < 0.4 ? 'bot' : pick(['api', 'miniapp']),
        ownerId,
        departmentId,
        sharedWith: [],
        createdAt: new Date(at),
        updatedAt: new Date(at),
      });
    }
    // the batch is cut only between customers, so the current customer is the batch's last
    if (lastFollowUp && (!c.lastFollowUpAt || (c.lastFollowUpAt as Date).getTime() < lastFollowUp)) c.lastFollowUpAt = new Date(lastFollowUp);
    if (stage === won && closedAt && rnd() < 0.8) {
      const signedAt = closedAt + rnd() * 5 * DAY;
      if (signedAt < now) {
        const voided = rnd() < 0.05;
        batch.contracts.push({
          _id: new Types.ObjectId(),
          customerId: customer._id,
          opportunityId: dealId,
          number: `HT-R-${opts.seed ?? 42}-${contractNo++}`,
          title: `合同${i}`,
          amountFen: Math.round(amountFen * (0.9 + rnd() * 0.1)),
          discountPercent: 0,
          status: voided ? 'void' : 'signed',
          statusHistory: [],
          signedAt: new Date(signedAt),
          ownerId,
          departmentId,
          sharedWith: [],
          createdAt: new Date(closedAt),
          updatedAt: new Date(signedAt),
        });
      }
    }
    if (batch.opportunities.length >= batchSize && i % perCustomer === perCustomer - 1) {
      yield batch;
      batch = { customers: [], opportunities: [], follow_ups: [], contracts: [] };
    }
  }
  if (batch.opportunities.length) yield batch;
}
