import { Types } from 'mongoose';
import {
  adoptionDtoSchema,
  CUSTOMER_SOURCES,
  cycleDtoSchema,
  drillDtoSchema,
  forgottenDtoSchema,
  funnelDtoSchema,
  isInScope,
  rankingDtoSchema,
  sourcesDtoSchema,
  stalledDtoSchema,
  summaryDtoSchema,
  teamOverdueDtoSchema,
  wallClock,
  type ScopeViewer,
} from '@crm/shared';
import type { Actor } from '../../api/src/context';
import { generateReportData, type SeedPerson } from '../../api/src/modules/report/report.seed';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Every report against a brute-force computation over the same records (read straight from the collections), in
 * three scopes (rep, manager, director) and for the centre (admin): first on generated history after a rebuild,
 * then after live changes through the API and services (roll-ups maintained by the listeners), then after another
 * rebuild (same answers). And the scope proof: a rep's and a manager's reports never include another team's records.
 */
const NOW = new Date('2026-11-20T04:00:00.000Z');
const TZ = 'Asia/Shanghai';
const DAY = 86_400_000;
const VIEWERS = ['demo-rep1', 'demo-manager', 'demo-director', 'demo-admin'] as const;

let t: TestApp;
const uid = (login: string) => t.seeded.org.users.get(login)!;
const dep = (key: string) => t.seeded.org.departments.get(key)!;

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface World {
  customers: Raw[];
  deals: Raw[];
  followUps: Raw[];
  contracts: Raw[];
}

async function world(): Promise<World> {
  const all = (name: string) => t.conn.collection(name).find({}).toArray() as Promise<Raw[]>;
  const [customers, deals, followUps, contracts] = await Promise.all([all('customers'), all('opportunities'), all('follow_ups'), all('contracts')]);
  return { customers, deals, followUps, contracts };
}

async function actorOf(login: string): Promise<Actor> {
  const user = (await t.services.org.findUserById(uid(login)))!;
  return { user, viewer: await t.services.org.resolveViewer(user) };
}

const viewers = new Map<string, ScopeViewer<Types.ObjectId>>();
const visible = (login: string) => (r: Raw) =>
  isInScope(viewers.get(login)!, { owner: r.ownerId ?? null, departments: r.departmentId ? [r.departmentId] : [] }, (a, b) => String(a) === String(b));
const within = (at: Date | null | undefined, from: string, to: string) => !!at && at.getTime() >= Date.parse(from) && at.getTime() < Date.parse(to);

// ---- brute force (independent of report.cells.ts: straight from the records) ----------------------------------

function bruteFunnel(w: World, login: string, period: { from: string; to: string }, by: 'created' | 'closed') {
  const stages = t.config.crm.stages;
  const open = stages.filter((s) => s.outcome === 'open').map((s) => s.key);
  const deals = w.deals
    .filter(visible(login))
    .filter((d) =>
      by === 'created' ? within(d.createdAt, period.from, period.to) : ['won', 'lost'].includes(d.stage) && within(d.closedAt, period.from, period.to),
    );
  const reachedIdx = (d: Raw) =>
    d.stage === 'won' ? open.length : Math.max(0, ...[...d.stageHistory.map((h: Raw) => h.stage), d.stage].map((s: string) => open.indexOf(s)));
  const reached = [...open, 'won'].map((_s, i) => deals.filter((d) => reachedIdx(d) >= i).length);
  const reasons = new Map<string, { count: number; amountFen: number }>();
  for (const d of deals.filter((x) => x.stage === 'lost')) {
    const r = reasons.get(d.lostReason) ?? { count: 0, amountFen: 0 };
    r.count++;
    r.amountFen += d.amountFen;
    reasons.set(d.lostReason, r);
  }
  const sum = (xs: Raw[]) => xs.reduce((a, d) => a + d.amountFen, 0);
  return {
    total: { count: deals.length, amountFen: sum(deals) },
    stages: [...open, 'won'].map((key, i) => ({
      key,
      count: deals.filter((d) => d.stage === key).length,
      amountFen: sum(deals.filter((d) => d.stage === key)),
      reached: reached[i],
    })),
    lost: { count: deals.filter((d) => d.stage === 'lost').length, reasons: Object.fromEntries(reasons) },
  };
}

function bruteRanking(w: World, login: string, p: { from: string; to: string; previousFrom: string; previousTo: string }) {
  const rows = new Map<string, number[]>();
  const add = (key: string, i: number, v: number) => {
    const r = rows.get(key) ?? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    r[i]! += v;
    rows.set(key, r);
  };
  const see = visible(login);
  const owner = (r: Raw) => (r.ownerId ? String(r.ownerId) : 'null');
  for (const [k, from, to] of [
    [0, p.from, p.to],
    [1, p.previousFrom, p.previousTo],
  ] as const) {
    for (const d of w.deals.filter(see))
      if (d.stage === 'won' && within(d.closedAt, from, to)) {
        add(owner(d), 0 + k, 1);
        add(owner(d), 2 + k, d.amountFen);
      }
    for (const c of w.contracts.filter(see)) if (c.status === 'signed' && within(c.signedAt, from, to)) add(owner(c), 4 + k, c.amountFen);
    for (const c of w.customers.filter(see)) if (within(c.createdAt, from, to)) add(owner(c), 6 + k, 1);
    for (const f of w.followUps.filter(see)) if (within(f.happenedAt, from, to)) add(String(f.authorId), 8 + k, 1);
  }
  return Object.fromEntries([...rows].map(([k, r]) => [k, r]));
}

function bruteSources(w: World, login: string, p: { from: string; to: string }) {
  const see = visible(login);
  const sourceOf = new Map(w.customers.map((c) => [String(c._id), c.source as string]));
  const out: Record<string, number[]> = Object.fromEntries(CUSTOMER_SOURCES.map((s) => [s, [0, 0, 0, 0]]));
  for (const c of w.customers.filter(see)) if (within(c.createdAt, p.from, p.to)) out[c.source]![0]!++;
  for (const d of w.deals.filter(see)) {
    if (!within(d.createdAt, p.from, p.to)) continue;
    const r = out[sourceOf.get(String(d.customerId))!]!;
    r[1]!++;
    if (d.stage === 'won') {
      r[2]!++;
      r[3]! += d.amountFen;
    }
  }
  return out;
}

function bruteCycle(w: World, login: string, p: { from: string; to: string }) {
  const won = w.deals.filter(visible(login)).filter((d) => d.stage === 'won' && within(d.closedAt, p.from, p.to));
  const minutes = (ms: number) => Math.max(0, Math.round(ms / 60_000));
  const total = won.reduce((a, d) => a + minutes(d.closedAt.getTime() - d.createdAt.getTime()), 0);
  return { deals: won.length, avgDays: won.length ? Math.round((total / won.length / 1440) * 10) / 10 : null };
}

function bruteAdoption(w: World, login: string, p: { from: string; to: string }) {
  const fus = w.followUps.filter(visible(login)).filter((f) => within(f.happenedAt, p.from, p.to));
  const daily = new Map<string, Set<string>>();
  for (const f of fus) {
    const c = wallClock(f.happenedAt, TZ);
    const key = `${c.year}-${String(c.month).padStart(2, '0')}-${String(c.day).padStart(2, '0')}`;
    (daily.get(key) ?? daily.set(key, new Set()).get(key)!).add(String(f.authorId));
  }
  const perRep = new Map<string, number>();
  for (const f of fus) perRep.set(String(f.authorId), (perRep.get(String(f.authorId)) ?? 0) + 1);
  return {
    total: fus.length,
    fromChat: fus.filter((f) => f.source === 'bot').length,
    daily: Object.fromEntries([...daily].map(([k, s]) => [k, s.size])),
    perRep: Object.fromEntries(perRep),
  };
}

// ---- the API side, reduced to the same shapes --------------------------------------------------------------

async function get(login: string, path: string) {
  const res = await t.http.get(`/api/v1/reports/${path}`).set('Authorization', await t.login(login));
  if (res.status !== 200) throw new Error(`${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function checkAll(w: World, login: string, query: string): Promise<void> {
  for (const by of ['created', 'closed'] as const) {
    const f = funnelDtoSchema.parse(await get(login, `funnel?${query}&by=${by}`));
    const b = bruteFunnel(w, login, f.period, by);
    expect({
      total: f.total,
      stages: f.stages.map((s) => ({ key: s.key, count: s.count, amountFen: s.amountFen, reached: s.reached })),
      lost: { count: f.lost.count, reasons: Object.fromEntries(f.lost.reasons.map((r) => [r.reason, { count: r.count, amountFen: r.amountFen }])) },
    }).toEqual(b);
    if (by === 'created' && b.total.count) {
      // a stage's drill-down lists exactly the deals the figure counts
      const stage = f.stages.find((s) => s.count > 0)!;
      const d = drillDtoSchema.parse(await get(login, `drill?${query}&report=funnel&stage=${stage.key}&limit=200`));
      expect(d.total).toBe(stage.count);
    }
  }
  const r = rankingDtoSchema.parse(await get(login, `ranking?${query}`));
  const br = bruteRanking(w, login, r.period);
  const got = Object.fromEntries(
    r.rows.map((x) => [
      x.id ?? 'null',
      [
        x.dealsWon.current,
        x.dealsWon.previous,
        x.wonAmountFen.current,
        x.wonAmountFen.previous,
        x.contractAmountFen.current,
        x.contractAmountFen.previous,
        x.newCustomers.current,
        x.newCustomers.previous,
        x.followUps.current,
        x.followUps.previous,
      ],
    ]),
  );
  expect(got).toEqual(br);
  const s = sourcesDtoSchema.parse(await get(login, `sources?${query}`));
  expect(Object.fromEntries(s.rows.map((x) => [x.source, [x.customers, x.deals, x.dealsWon, x.wonAmountFen]]))).toEqual(bruteSources(w, login, s.period));
  const c = cycleDtoSchema.parse(await get(login, `cycle?${query}`));
  expect(c.overall).toEqual(bruteCycle(w, login, c.period));
  const a = adoptionDtoSchema.parse(await get(login, `adoption?${query}`));
  const ba = bruteAdoption(w, login, a.period);
  expect({
    total: a.chat.total,
    fromChat: a.chat.fromChat,
    daily: Object.fromEntries(a.activeDaily.filter((d) => d.users > 0).map((d) => [d.date, d.users])),
    perRep: Object.fromEntries(a.followUpsPerRep.map((x) => [x.id, x.total])),
  }).toEqual(ba);
}

beforeAll(async () => {
  t = await startTestApp({}, { now: () => NOW });
  for (const login of VIEWERS) viewers.set(login, await t.services.org.resolveViewer((await t.services.org.findUserById(uid(login)))!));
  const people: SeedPerson[] = [
    { userId: uid('demo-rep1'), departmentId: dep('east'), leaderId: uid('demo-manager') },
    { userId: uid('demo-rep2'), departmentId: dep('east'), leaderId: uid('demo-manager') },
    { userId: uid('demo-rep3'), departmentId: dep('south'), leaderId: uid('demo-director') },
    { userId: uid('demo-manager'), departmentId: dep('east'), leaderId: uid('demo-director') },
    // a rep of the south team holding customers filed under east: visible to east's manager by department
    { userId: uid('demo-rep3'), departmentId: dep('east'), leaderId: uid('demo-director') },
    { userId: uid('demo-finance'), departmentId: dep('finance'), leaderId: null },
  ];
  for (const batch of generateReportData({ deals: 1200, people, stages: t.config.crm.stages, now: NOW, spanDays: 240, batchSize: 500, seed: 7 })) {
    for (const [name, docs] of Object.entries(batch)) if (docs.length) await t.conn.collection(name).insertMany(docs);
  }
  await t.services.reports.rollups.rebuild();
}, 120_000);
afterAll(() => t.close());

const PERIODS = ['period=quarter', 'period=month', `period=custom&from=2026-06-10&to=2026-10-01`, `period=week&at=2026-11-03T02:00:00.000Z`];

describe('reports = brute force over the same records, after a rebuild', () => {
  it.each(VIEWERS.flatMap((v) => PERIODS.map((p) => [v, p] as const)))('%s %s', async (login, query) => {
    await checkAll(await world(), login, query);
  });
});

describe('scope: a rep and a manager never see another team', () => {
  it('a rep sees only their own records, a manager only the east team (by owner or department)', async () => {
    const w = await world();
    const east = String(dep('east'));
    const rep1 = String(uid('demo-rep1'));
    const eastTeam = new Set([uid('demo-manager'), uid('demo-rep1'), uid('demo-rep2')].map(String));
    const repRank = rankingDtoSchema.parse(await get('demo-rep1', 'ranking?period=custom&from=2026-03-01&to=2026-11-21'));
    // besides the rep, only their leader shows up, with follow-ups written on the rep's own customers
    expect(repRank.rows.find((r) => r.id === rep1)).toBeTruthy();
    for (const r of repRank.rows.filter((x) => x.id !== rep1)) {
      expect(r.id).toBe(String(uid('demo-manager')));
      expect([r.dealsWon.current, r.contractAmountFen.current, r.newCustomers.current]).toEqual([0, 0, 0]);
    }
    const mgrRank = rankingDtoSchema.parse(await get('demo-manager', 'ranking?period=custom&from=2026-03-01&to=2026-11-21'));
    // rep3 appears only through east-filed customers; finance's and south's records never
    // (and the director only as the author of follow-ups on those customers)
    const outsiders = mgrRank.rows.filter((r) => !eastTeam.has(r.id!));
    expect(outsiders.map((r) => r.id).sort()).toEqual([String(uid('demo-rep3')), String(uid('demo-director'))].sort());
    const dirRow = outsiders.find((r) => r.id === String(uid('demo-director')))!;
    expect([dirRow.dealsWon.current, dirRow.contractAmountFen.current, dirRow.newCustomers.current]).toEqual([0, 0, 0]);
    expect(mgrRank.rows.some((r) => r.id === String(uid('demo-finance')))).toBe(false);
    const d = drillDtoSchema.parse(await get('demo-manager', 'drill?period=custom&from=2026-03-01&to=2026-11-21&report=funnel&limit=200'));
    const dealDept = new Map(w.deals.map((x) => [String(x._id), String(x.departmentId)]));
    expect(d.items.every((i) => dealDept.get(i.id) === east || eastTeam.has(i.ownerId!))).toBe(true);
    const repDrill = drillDtoSchema.parse(await get('demo-rep1', 'drill?period=custom&from=2026-03-01&to=2026-11-21&report=funnel&limit=200'));
    expect(new Set(repDrill.items.map((i) => i.ownerId))).toEqual(new Set([rep1]));
    // narrowing to another team's owner stays inside the scope: nothing
    const other = funnelDtoSchema.parse(await get('demo-rep1', `funnel?period=quarter&ownerId=${String(uid('demo-rep2'))}`));
    expect(other.total.count).toBe(0);
    const partner = await t.http.get('/api/v1/reports/funnel').set('Authorization', await t.login('demo-partner'));
    expect(partner.status).toBe(403);
  });

  it('lists to act on and team overdue stay in scope', async () => {
    const w = await world();
    const now = NOW.getTime();
    const sla = new Map(t.config.crm.stages.map((s) => [s.key, s.slaDays]));
    for (const login of ['demo-rep1', 'demo-manager', 'demo-director'] as const) {
      const st = stalledDtoSchema.parse(await get(login, 'stalled?limit=200'));
      const expected = w.deals.filter(visible(login)).filter((d) => sla.get(d.stage) != null && d.stageEnteredAt.getTime() < now - sla.get(d.stage)! * DAY);
      expect(st.total).toBe(expected.length);
      expect(new Set(st.items.map((i) => i.id))).toEqual(
        new Set(expected.slice(0, 200).length === expected.length ? expected.map((d) => String(d._id)) : st.items.map((i) => i.id)),
      );
      const fg = forgottenDtoSchema.parse(await get(login, 'forgotten?limit=10'));
      const cold = t.config.reminders.coldDaysByTier as Record<string, number | null>;
      const exp = w.customers
        .filter(visible(login))
        .filter((c) => c.status === 'owned' && cold[c.tier] != null && (c.lastFollowUpAt ?? c.createdAt).getTime() < now - cold[c.tier]! * DAY);
      expect(fg.total).toBe(exp.length);
    }
    const overdue = teamOverdueDtoSchema.parse(await get('demo-manager', 'team-overdue'));
    expect(overdue.rows.every((r) => [uid('demo-manager'), uid('demo-rep1'), uid('demo-rep2')].map(String).includes(r.id))).toBe(true);
  });

  const xlsxRows = async (login: string, path: string) => {
    const res = await t.http
      .get(`/api/v1/reports/${path}`)
      .set('Authorization', await t.login(login))
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const ExcelJS = (await import('exceljs')).default;
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.body as ArrayBuffer);
    return book.worksheets[0]!.getSheetValues().filter(Boolean).slice(1) as unknown[][];
  };

  it('xlsx exports: same scope, formulas neutralized, audited', async () => {
    const rows = await xlsxRows('demo-rep1', 'stalled?format=xlsx');
    const st = stalledDtoSchema.parse(await get('demo-rep1', 'stalled?limit=200'));
    expect(rows.length).toBe(st.total);
    // audited once the file is written (after the last byte reached the client)
    let audit = null;
    for (let i = 0; i < 50 && !audit; i++) {
      audit = await t.conn.collection('audit_log').findOne({ action: 'report.export', entityId: 'stalled' });
      if (!audit) await new Promise((r) => setTimeout(r, 20));
    }
    expect(JSON.parse((audit as unknown as { note: string }).note)).toMatchObject({ list: 'stalled', rows: st.total });
  });

  it('an xlsx longer than a page holds every row of the list, each once (streamed page by page)', async () => {
    const drill = drillDtoSchema.parse(await get('demo-director', 'drill?report=funnel&period=custom&from=2025-11-22&to=2026-11-21&limit=200'));
    expect(drill.total).toBeGreaterThan(500); // more than one page of the export
    const rows = await xlsxRows('demo-director', 'drill?report=funnel&period=custom&from=2025-11-22&to=2026-11-21&format=xlsx');
    expect(rows.length).toBe(drill.total);
    const pages: string[] = [];
    for (let cursor: string | null = ''; cursor !== null;) {
      const page = drillDtoSchema.parse(
        await get('demo-director', `drill?report=funnel&period=custom&from=2025-11-22&to=2026-11-21&limit=200${cursor ? `&cursor=${cursor}` : ''}`),
      );
      pages.push(...page.items.map((x) => `${x.title}|${x.customerName}`));
      cursor = page.nextCursor;
    }
    expect(rows.map((r) => `${String(r[2])}|${String(r[3])}`).sort()).toEqual(pages.sort());
  });
});

describe('roll-ups kept by the listeners = brute force = rebuild', () => {
  it('creates, stage moves, a loss, edits, follow-ups, an undo, a signed contract and a transfer', async () => {
    const rep1 = await actorOf('demo-rep1');
    const mgr = await actorOf('demo-manager');
    const meta = (a: Actor) => ({ requestId: 'test', channel: 'api' as const, actorId: a.user._id });
    const auth = await t.login('demo-rep1');
    const cust = await t.http.post('/api/v1/customers').set('Authorization', auth).send({ name: '报表测试客户', company: '报表测试公司甲', source: '展会' });
    expect(cust.status).toBe(201);
    const deals: string[] = [];
    for (const [i, amount] of [1_000_000, 2_500_000, 4_000_000].entries()) {
      const d = await t.http
        .post('/api/v1/opportunities')
        .set('Authorization', auth)
        .send({ customerId: cust.body.id, name: `报表商机${i}`, amountFen: amount });
      expect(d.status).toBe(201);
      deals.push(d.body.id);
    }
    const move = (id: string, stage: string, lostReason?: string) =>
      t.http.post(`/api/v1/opportunities/${id}/stage`).set('Authorization', auth).send({ stage, lostReason });
    expect((await move(deals[0]!, 'needs')).status).toBe(200);
    expect((await move(deals[0]!, 'negotiation')).status).toBe(200);
    expect((await move(deals[0]!, 'won')).status).toBe(200);
    expect((await move(deals[1]!, 'proposal')).status).toBe(200);
    expect((await move(deals[1]!, 'lost', '价格太高')).status).toBe(200);
    expect((await t.http.patch(`/api/v1/opportunities/${deals[2]}`).set('Authorization', auth).send({ amountFen: 4_200_000 })).status).toBe(200);
    const fu = await t.http.post('/api/v1/follow-ups').set('Authorization', auth).send({ customerId: cust.body.id, type: 'call', content: '电话沟通了报价' });
    expect(fu.status).toBe(201);
    const chat = await t.services.followUps.create(
      rep1,
      { ...meta(rep1), channel: 'bot' },
      { customerId: cust.body.id, type: 'wechat', content: '微信发了资料' },
      'bot',
    );
    expect(await t.services.followUps.undoFromBot(rep1, meta(rep1), chat._id, 60_000)).toBeTruthy();
    const contract = await t.services.contracts.create(rep1, meta(rep1), {
      customerId: cust.body.id,
      opportunityId: deals[0],
      number: 'HT-RPT-1',
      title: '报表合同',
      amountFen: 990_000,
      discountPercent: 0,
    });
    for (const to of ['pending_approval', 'approved', 'signed'] as const) await t.services.contracts.transition(mgr, meta(mgr), contract._id, to);
    // the whole customer moves to the south team's rep
    expect(
      (
        await t.http
          .post(`/api/v1/customers/${cust.body.id}/transfer`)
          .set('Authorization', await t.login('demo-manager'))
          .send({ ownerId: String(uid('demo-rep3')) })
      ).status,
    ).toBe(200);

    const w = await world();
    for (const login of VIEWERS) await checkAll(w, login, 'period=month');
    // by department: the director reads the department totals (owners folded in), the others the owners' documents;
    // both add up to the ranking by rep (follow-ups aside: per author there, per record's department here)
    const byDepartment = async () => {
      const out: Record<string, number[]> = {};
      for (const v of VIEWERS) {
        const dims = await Promise.all(['rep', 'department'].map((d) => get(v, `ranking?period=quarter&dimension=${d}`)));
        const sums = dims.map((r) => {
          const rows = rankingDtoSchema.parse(r).rows;
          const sum = (f: (x: (typeof rows)[number]) => number) => rows.reduce((a, x) => a + f(x), 0);
          return [
            sum((x) => x.contractAmountFen.current),
            sum((x) => x.wonAmountFen.current),
            sum((x) => x.dealsWon.current),
            sum((x) => x.newCustomers.previous),
          ];
        });
        expect({ v, byDepartment: sums[1] }).toEqual({ v, byDepartment: sums[0] });
        out[v] = sums[1]!;
      }
      return out;
    };
    const departmentsBefore = await byDepartment();
    const before = await Promise.all(VIEWERS.map((v) => get(v, 'ranking?period=month')));
    await t.services.reports.rollups.rebuild();
    expect(await Promise.all(VIEWERS.map((v) => get(v, 'ranking?period=month')))).toEqual(before);
    expect(await byDepartment()).toEqual(departmentsBefore);
    for (const login of VIEWERS) await checkAll(await world(), login, 'period=month');
  });

  it('summary: mine and team, against the ranking', async () => {
    const mine = summaryDtoSchema.parse(await get('demo-rep3', 'summary?period=month'));
    const rank = rankingDtoSchema.parse(await get('demo-rep3', 'ranking?period=month'));
    const row = rank.rows.find((r) => r.id === String(uid('demo-rep3')));
    expect(mine.dealsWon).toEqual(row?.dealsWon ?? { current: 0, previous: 0 });
    expect(mine.contractAmountFen).toEqual(row?.contractAmountFen ?? { current: 0, previous: 0 });
    expect(mine.link).toMatch(/\/console\/$/);
    const team = summaryDtoSchema.parse(await get('demo-director', 'summary?period=month&scope=team'));
    const dir = rankingDtoSchema.parse(await get('demo-director', 'ranking?period=month'));
    expect(team.dealsWon.current).toBe(dir.rows.reduce((a, r) => a + r.dealsWon.current, 0));
    expect(team.wonAmountFen.previous).toBe(dir.rows.reduce((a, r) => a + r.wonAmountFen.previous, 0));
    const funnel = funnelDtoSchema.parse(await get('demo-director', 'funnel?period=month'));
    expect(team.newDeals.current).toBe(funnel.total.count);
  });
});
