import { Types } from 'mongoose';
import { CUSTOMER_SOURCES, CUSTOMER_TIERS, FOLLOW_UP_TYPES, type StageDefinition } from '@crm/shared';
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
 * The demo CRM: customers with contacts, 90 days of follow-ups, deals in every stage, a few contracts.
 * Idempotent: does nothing when customers exist already.
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
  const counts: CrmSeedCounts = { customers: 0, contacts: 0, followUps: 0, opportunities: 0, contracts: 0 };
  const stages = os.stages;
  let contractNo = 0;
  for await (const batch of generateCustomers({ count: opts.count ?? 320, org, rand, now, poolShare: 0.1, story: true })) {
    const followUps: Array<Omit<FollowUp, 'createdAt' | 'updatedAt'>> = [];
    const deals = [];
    const contracts = [];
    for (const c of batch.customers) {
      const scope = { ownerId: c.ownerId, departmentId: c.departmentId, sharedWith: c.sharedWith };
      const contactsOf = batch.contacts.filter((k) => k.customerId.equals(c._id));
      if (c.ownerId) {
        const n = Math.floor(rand() * 5);
        const times = Array.from({ length: n }, () => new Date(now.getTime() - Math.floor(rand() * 90 * DAY))).sort((a, b) => a.getTime() - b.getTime());
        times.forEach((happenedAt, i) => {
          const type = pick(rand, FOLLOW_UP_TYPES);
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
        if (rand() < 0.45) {
          const stage = stages[(counts.opportunities + deals.length) % stages.length]!;
          const deal = buildDeal(stages, stage, c, now, rand, scope);
          deals.push(deal);
          if (stage.outcome === 'won' && contractNo < 12) {
            contractNo += 1;
            const status = pick(rand, ['draft', 'signed', 'signed', 'void'] as const);
            const created = new Date(deal.stageEnteredAt.getTime() + DAY);
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
                ...(status === 'draft' ? [] : [{ status, at: new Date(created.getTime() + DAY), byId: c.ownerId }]),
              ],
              signedAt: status === 'signed' ? new Date(created.getTime() + DAY) : null,
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

function buildDeal(
  stages: StageDefinition[],
  stage: StageDefinition,
  c: NewCustomer,
  now: Date,
  rand: () => number,
  scope: Pick<Customer, 'ownerId' | 'departmentId' | 'sharedWith'>,
) {
  const open = stages.filter((s) => s.outcome === 'open');
  const path = stage.outcome === 'open' ? open.slice(0, open.indexOf(stage) + 1) : [...open.slice(0, 1 + Math.floor(rand() * open.length)), stage];
  let t = now.getTime() - (20 + Math.floor(rand() * 60)) * DAY;
  const stageHistory = path.map((s) => {
    t += Math.floor((1 + rand() * 6) * DAY);
    return { stage: s.key, enteredAt: new Date(Math.min(t, now.getTime())), byId: scope.ownerId };
  });
  const last = stageHistory[stageHistory.length - 1]!;
  return {
    _id: new Types.ObjectId(),
    customerId: c._id,
    name: pick(rand, ['年度采购', '系统升级', '二期扩容', '新门店上线', '培训服务', '维保续约']),
    amountFen: (5 + Math.floor(rand() * 195)) * 10_000 * 100,
    stage: stage.key,
    stageEnteredAt: last.enteredAt,
    stageHistory,
    expectedCloseDate: new Date(now.getTime() + Math.floor(rand() * 90) * DAY),
    probability: stage.probability,
    lostReason: stage.outcome === 'lost' ? pick(rand, LOST_REASONS) : null,
    closedAt: stage.outcome === 'open' ? null : last.enteredAt,
    ...scope,
  };
}
