import { Types } from 'mongoose';
import { CUSTOMER_SOURCES, CUSTOMER_TIERS, FOLLOW_UP_TYPES, wallClock, zonedInstant, type StageDefinition } from '@crm/shared';
import { deriveCustomerFields, splitPhones } from '../modules/customer/customer.derive';
import type { Customer } from '../modules/customer/customer.model';
import type { Contact } from '../modules/contact/contact.model';
import type { FollowUp } from '../modules/follow-up/follow-up.model';
import type { Services } from '../services';
import {
  BRAND_SECOND,
  BRANDS,
  FOLLOW_UP_TEXTS,
  GIVEN_NAMES,
  INDUSTRIES,
  LEGAL_SUFFIXES,
  LOST_REASONS,
  NEXT_STEPS,
  REGIONS,
  SURNAMES,
  TITLES,
  pick,
  seededRandom,
} from './demo-names';
import type { SeededOrg } from './org.seed';

const DAY = 86_400_000;
type NewCustomer = Omit<Customer, 'createdAt' | 'updatedAt'> & { _id: Types.ObjectId };
type NewContact = Omit<Contact, 'createdAt' | 'updatedAt'> & { _id: Types.ObjectId };

export interface CustomerSpec {
  name: string;
  company?: string;
  owner: string | null;
  tier?: Customer['tier'];
  source?: Customer['source'];
  contacts: Array<{ name: string; phones: string[]; emails?: string[]; title?: string }>;
  sharedWithPartner?: boolean;
}

/** Hand-made customers that make the demo tell its story: 张三 for `zs`, and near-duplicates for 查重. */
export const STORY_CUSTOMERS: CustomerSpec[] = [
  {
    name: '张三',
    company: '上海星辰信息科技有限公司',
    owner: 'demo-rep1',
    tier: 'A',
    source: '老客户推荐',
    contacts: [{ name: '张三', phones: ['13800138000'], emails: ['zhangsan@xingchen.example.com'], title: '采购经理' }],
  },
  {
    name: '王五',
    company: '星辰信息科技(上海)有限公司',
    owner: 'demo-rep3',
    tier: 'B',
    source: '展会',
    contacts: [{ name: '王五', phones: ['021-6123 4567'] }],
  },
  {
    name: '李雷',
    company: '北京博远软件有限公司',
    owner: 'demo-rep2',
    tier: 'B',
    source: '官网',
    contacts: [{ name: '李雷', phones: ['+86 139-1234-5678'], emails: ['Li.Lei@Boyuan.example.com'] }],
  },
  {
    name: '韩梅梅',
    company: '博远软件(北京)股份有限公司',
    owner: 'demo-rep1',
    tier: 'C',
    source: '电话营销',
    contacts: [{ name: '韩梅梅', phones: ['13912345678'], emails: ['li.lei@boyuan.example.com'] }],
  },
  {
    name: '曾小贤',
    company: '杭州云帆网络科技有限公司',
    owner: 'demo-rep1',
    tier: 'A',
    source: '合作伙伴',
    contacts: [{ name: '曾小贤', phones: ['13700001234'] }],
    sharedWithPartner: true,
  },
  { name: '单田芳', company: '成都天府文化传媒有限公司', owner: null, tier: 'C', source: '广告', contacts: [{ name: '单田芳', phones: ['13600005678'] }] },
];

interface GenerateOptions {
  count: number;
  org: SeededOrg;
  rand: () => number;
  now: Date;
  /** Fraction of customers in the pool (no owner). */
  poolShare: number;
}

const OWNERS = ['demo-rep1', 'demo-rep1', 'demo-rep2', 'demo-rep2', 'demo-rep3', 'demo-rep3', 'demo-manager'];
const DEPARTMENT_OF: Record<string, string> = { 'demo-rep1': 'east', 'demo-rep2': 'east', 'demo-manager': 'east', 'demo-rep3': 'south' };

function mobile(rand: () => number): string {
  return `1${pick(rand, ['3', '5', '7', '8', '9'])}${String(Math.floor(rand() * 1e9)).padStart(9, '0')}`;
}

function randomSpec(rand: () => number, i: number, poolShare: number): CustomerSpec {
  const [, city] = pick(rand, REGIONS);
  const person = pick(rand, SURNAMES) + pick(rand, GIVEN_NAMES);
  const [industry] = pick(rand, INDUSTRIES);
  // brand + a second common character, walked in order, keeps the first 1,000 companies distinct, so the
  // demo's duplicates are only the deliberate ones
  const brand = BRANDS[i % BRANDS.length]! + (i >= BRANDS.length ? BRAND_SECOND[Math.floor(i / BRANDS.length) % BRAND_SECOND.length]! : '');
  const contacts = [{ name: person, phones: [mobile(rand)], emails: rand() < 0.4 ? [`user${i}@example.com`] : [], title: pick(rand, TITLES) }];
  if (rand() < 0.35)
    contacts.push({
      name: pick(rand, SURNAMES) + pick(rand, GIVEN_NAMES),
      phones: [rand() < 0.5 ? mobile(rand) : `${pick(rand, REGIONS)[2]}-${6000_0000 + Math.floor(rand() * 999_9999)}`],
      emails: [],
      title: pick(rand, TITLES),
    });
  return {
    name: person,
    company: `${city}${brand}${industry}${pick(rand, LEGAL_SUFFIXES)}`,
    owner: rand() < poolShare ? null : pick(rand, OWNERS),
    tier: pick(rand, CUSTOMER_TIERS),
    source: pick(rand, CUSTOMER_SOURCES),
    contacts,
  };
}

/** An ObjectId whose time part is `at`, so that newest-first order follows creation time. */
function idAt(at: Date, rand: () => number): Types.ObjectId {
  const seconds = Math.floor(at.getTime() / 1000)
    .toString(16)
    .padStart(8, '0');
  const rest = Array.from({ length: 16 }, () => Math.floor(rand() * 16).toString(16)).join('');
  return new Types.ObjectId(seconds + rest);
}

/** Builds the stored form of a customer and its contacts (derived fields included). */
export function buildCustomer(spec: CustomerSpec, org: SeededOrg, createdAt: Date, rand: () => number): { customer: NewCustomer; contacts: NewContact[] } {
  const id = idAt(createdAt, rand);
  const ownerId = spec.owner ? org.users.get(spec.owner)! : null;
  const departmentId = spec.owner ? org.departments.get(DEPARTMENT_OF[spec.owner] ?? 'east')! : null;
  const sharedWith = spec.sharedWithPartner ? [org.users.get('demo-partner')!] : [];
  const contacts: NewContact[] = spec.contacts.map((c, i) => ({
    _id: new Types.ObjectId(),
    customerId: id,
    name: c.name,
    title: c.title,
    ...splitPhones(c.phones),
    emails: (c.emails ?? []).map((e) => e.trim().toLowerCase()),
    primary: i === 0,
    ownerId,
    departmentId,
    sharedWith,
  }));
  const region = REGIONS.find(([, city]) => spec.company?.includes(city));
  const industry = INDUSTRIES.find(([word]) => spec.company?.includes(word));
  const customer: NewCustomer = {
    _id: id,
    name: spec.name,
    company: spec.company,
    industry: industry?.[1],
    region: region ? { province: region[0], city: region[1] } : undefined,
    source: spec.source ?? '其他',
    tier: spec.tier ?? 'C',
    tags: rand() < 0.3 ? [pick(rand, ['重点客户', '续费', '大客户', '政府项目', '渠道'])] : [],
    ownerId,
    departmentId,
    status: ownerId ? 'owned' : 'pool',
    protectionEndsAt: ownerId ? new Date(createdAt.getTime() + 30 * DAY) : null,
    lastFollowUpAt: null,
    nextFollowUpAt: null,
    sharedWith,
    createdBy: ownerId,
    ...deriveCustomerFields(spec, contacts),
  };
  return { customer, contacts };
}

/** Customers with contacts in chunks, for the demo and for large benchmark loads (constant memory). */
export async function* generateCustomers(
  opts: GenerateOptions & { chunk?: number; story?: boolean },
): AsyncGenerator<{ customers: NewCustomer[]; contacts: NewContact[] }> {
  const chunk = opts.chunk ?? 2_000;
  const specs = opts.story ? STORY_CUSTOMERS : [];
  let customers: NewCustomer[] = [];
  let contacts: NewContact[] = [];
  const total = opts.count;
  for (let i = 0; i < total; i++) {
    const spec = i < specs.length ? specs[i]! : randomSpec(opts.rand, i, opts.poolShare);
    // spread creation over the last 180 days, oldest first
    const createdAt = new Date(opts.now.getTime() - (180 * DAY * (total - i)) / total);
    const built = buildCustomer(spec, opts.org, createdAt, opts.rand);
    customers.push(built.customer);
    contacts.push(...built.contacts);
    if (customers.length >= chunk) {
      yield { customers, contacts };
      customers = [];
      contacts = [];
    }
  }
  if (customers.length) yield { customers, contacts };
}

export interface CrmSeedCounts {
  customers: number;
  contacts: number;
  followUps: number;
  opportunities: number;
  contracts: number;
}

/**
 * The demo CRM: customers with contacts, 90 days of follow-ups, deals in every stage, contracts for won deals.
 * Dates are relative to `now` so that the dashboard has something to show for the current month whenever it
 * is seeded: customers are created over the last 180 days (oldest first); each owner's first won deal (the three
 * reps have one) closes this month (business time zone), its contract signed this month too; other won and lost
 * deals closed in the last ~3 months; each deal walks the open stages for days to weeks before it closes (the sales
 * cycle); about one open deal in four is past its stage's time limit (stalled). Idempotent: does nothing when
 * customers exist already.
 */
export async function seedCustomers(services: Services, org: SeededOrg, opts: { count?: number; now?: Date } = {}): Promise<CrmSeedCounts> {
  const { customers: cs, followUps: fs, opportunities: os, contracts: ks } = services;
  const existing = await cs.countAll();
  if (existing.customers > 0) {
    return {
      ...existing,
      followUps: await fs.countAll(),
      opportunities: await os.countAll(),
      contracts: await ks.countAll(),
    };
  }
  const rand = seededRandom(20261122);
  const now = opts.now ?? new Date();
  const monthStart = startOfMonth(now, services.reports.rollups.tz);
  const counts: CrmSeedCounts = { customers: 0, contacts: 0, followUps: 0, opportunities: 0, contracts: 0 };
  const stages = os.stages;
  const wonThisMonth = new Map<string, number>();
  let contractNo = 0;
  let seen = 0;
  for await (const batch of generateCustomers({ count: opts.count ?? 320, org, rand, now, poolShare: 0.1, story: true })) {
    const followUps: Array<Omit<FollowUp, 'createdAt' | 'updatedAt'>> = [];
    const deals = [];
    const contracts = [];
    for (const c of batch.customers) {
      const story = seen++ < STORY_CUSTOMERS.length;
      const createdAt = c._id.getTimestamp();
      (c as NewCustomer & { createdAt: Date }).createdAt = createdAt;
      const scope = { ownerId: c.ownerId, departmentId: c.departmentId, sharedWith: c.sharedWith };
      const contactsOf = batch.contacts.filter((k) => k.customerId.equals(c._id));
      if (c.ownerId) {
        // 1–4 follow-ups in the last 90 days, none before the customer existed; most customers were followed up in
        // the last 5 days (within every tier's cold limit), the others are the forgotten ones
        const n = 1 + Math.floor(rand() * 4);
        const since = Math.max(createdAt.getTime(), now.getTime() - 90 * DAY);
        const times = Array.from({ length: n }, () => new Date(since + Math.floor(rand() * (now.getTime() - since))));
        if (rand() < 0.85) times[n - 1] = new Date(Math.max(since, now.getTime() - Math.floor(rand() * 5 * DAY)));
        times.sort((a, b) => a.getTime() - b.getTime());
        times.forEach((happenedAt, i) => {
          const type = pick(
            rand,
            FOLLOW_UP_TYPES.filter((t) => t !== 'note'),
          ); // the demo's visits and calls (the list it was seeded from)
          const last = i === times.length - 1;
          const nextStep = last && rand() < 0.6 ? { text: pick(rand, NEXT_STEPS), dueAt: new Date(now.getTime() + Math.floor(rand() * 14 * DAY)) } : null;
          followUps.push({
            customerId: c._id,
            contactId: contactsOf[0]?._id ?? null,
            authorId: c.ownerId!,
            type,
            content: pick(rand, FOLLOW_UP_TEXTS),
            happenedAt,
            location:
              type === 'visit' ? { lat: 31.2 + rand() / 10, lng: 121.4 + rand() / 10, address: `${c.region?.city ?? '上海'}市${c.company ?? ''}` } : null,
            nextStep,
            source: 'api' as const,
            ...scope,
          });
          c.lastFollowUpAt = happenedAt;
          c.nextFollowUpAt = nextStep?.dueAt ?? c.nextFollowUpAt;
        });
        // the story's customers (张三 first) always have a deal, about half of the others
        if (rand() < 0.45 || story) {
          const stage = stages[(counts.opportunities + deals.length) % stages.length]!;
          const owner = String(c.ownerId);
          // each owner's first won deal closes this month, a few more at random
          const thisMonth = stage.outcome === 'won' && ((wonThisMonth.get(owner) ?? 0) === 0 || rand() < 0.3);
          if (thisMonth) wonThisMonth.set(owner, (wonThisMonth.get(owner) ?? 0) + 1);
          const deal = buildDeal(stages, stage, { createdAt, now, monthStart, thisMonth }, rand, c._id, scope);
          deals.push(deal);
          if (deal.closedAt && stage.outcome === 'won') {
            contractNo += 1;
            const status = thisMonth ? 'signed' : pick(rand, ['draft', 'signed', 'signed', 'void'] as const);
            const created = deal.closedAt;
            // signed within the days after the deal was won (this month's: before now, still this month)
            const signed = new Date(Math.min(now.getTime(), created.getTime() + Math.floor(rand() * 3 * DAY)));
            contracts.push({
              customerId: c._id,
              opportunityId: deal._id,
              number: `HT-2026-${String(contractNo).padStart(4, '0')}`,
              title: `${c.company ?? c.name} ${deal.name}合同`,
              amountFen: deal.amountFen,
              discountPercent: Math.floor(rand() * 20),
              status,
              statusHistory: [
                { status: 'draft' as const, at: created, byId: c.ownerId },
                ...(status === 'draft' ? [] : [{ status, at: signed, byId: c.ownerId }]),
              ],
              signedAt: status === 'signed' ? signed : null,
              createdAt: created,
              updatedAt: status === 'draft' ? created : signed,
              ...scope,
            });
          }
        }
      }
    }
    await cs.insertSeedRecords(batch.customers, batch.contacts);
    await fs.insertSeedRecords(followUps);
    await os.insertSeedRecords(deals);
    await ks.insertSeedRecords(contracts);
    counts.customers += batch.customers.length;
    counts.contacts += batch.contacts.length;
    counts.followUps += followUps.length;
    counts.opportunities += deals.length;
    counts.contracts += contracts.length;
  }
  return counts;
}

/** The first instant of `now`'s calendar month in the business time zone. */
function startOfMonth(now: Date, tz: string): Date {
  const w = wallClock(now, tz);
  return zonedInstant(w.year, w.month, 1, 0, 0, tz);
}

interface DealTimes {
  /** The customer's creation: no deal starts before it. */
  createdAt: Date;
  now: Date;
  monthStart: Date;
  /** A won deal closed this month (between the month's start and now). */
  thisMonth: boolean;
}

/**
 * A deal with a plausible history: it walks the open stages (2–12 days each) up to its stage. A closed deal is
 * closed this month (`thisMonth`) or in the last ~3 months; an open one entered its stage within the stage's time
 * limit, or, one in four, past it (stalled). The walk is squeezed to fit after the customer's creation.
 */
function buildDeal(
  stages: StageDefinition[],
  stage: StageDefinition,
  t: DealTimes,
  rand: () => number,
  customerId: Types.ObjectId,
  scope: Pick<Customer, 'ownerId' | 'departmentId' | 'sharedWith'>,
) {
  const open = stages.filter((s) => s.outcome === 'open');
  // won deals went through every open stage; lost ones dropped out after one of them
  const path =
    stage.outcome === 'open'
      ? open.slice(0, open.indexOf(stage) + 1)
      : stage.outcome === 'won'
        ? [...open, stage]
        : [...open.slice(0, 1 + Math.floor(rand() * open.length)), stage];
  const now = t.now.getTime();
  const from = t.createdAt.getTime();
  let last: number;
  if (stage.outcome === 'open') {
    const sla = stage.slaDays ?? 14;
    last = now - (rand() < 0.25 ? sla + 1 + rand() * 20 : rand() * sla * 0.9) * DAY;
  } else if (t.thisMonth) {
    const lo = Math.max(t.monthStart.getTime(), from);
    last = lo + rand() * (now - lo);
  } else {
    last = now - (1 + rand() * 90) * DAY;
  }
  // time spent in each stage before the last one
  const spans = path.slice(0, -1).map(() => (2 + rand() * 10) * DAY);
  const total = spans.reduce((a, b) => a + b, 0);
  last = Math.min(now, Math.max(last, from + Math.min(total, now - from)));
  const squeeze = total > last - from ? (last - from) / total : 1;
  const enteredAt: number[] = [last];
  for (let i = spans.length - 1; i >= 0; i--) enteredAt.unshift(enteredAt[0]! - spans[i]! * squeeze);
  const stageHistory = path.map((s, i) => ({ stage: s.key, enteredAt: new Date(Math.round(enteredAt[i]!)), byId: scope.ownerId }));
  const entered = stageHistory[stageHistory.length - 1]!.enteredAt;
  return {
    _id: new Types.ObjectId(),
    customerId,
    name: pick(rand, ['年度采购', '系统升级', '二期扩容', '新门店上线', '培训服务', '维保续约']),
    amountFen: (5 + Math.floor(rand() * 195)) * 10_000 * 100,
    stage: stage.key,
    stageEnteredAt: entered,
    stageHistory,
    expectedCloseDate: new Date(now + Math.floor(rand() * 90) * DAY),
    probability: stage.probability,
    lostReason: stage.outcome === 'lost' ? pick(rand, LOST_REASONS) : null,
    closedAt: stage.outcome === 'open' ? null : entered,
    createdAt: stageHistory[0]!.enteredAt,
    updatedAt: entered,
    ...scope,
  };
}
