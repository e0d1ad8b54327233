import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { apiRouters } from '../../api/src/app';
import { ERROR_CATALOG } from '../../api/src/modules/openapi/error-catalog';
import { buildOpenApi } from '../../api/src/modules/openapi/openapi.builder';
import { FakeDingTalkServer } from '../fakes/fake-dingtalk-server';
import { FakeDirectory } from '../fakes/fake-directory';
import { FakeWeComServer } from '../fakes/fake-wecom-server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { WECOM_TEST_APP, WECOM_TEST_ENV } from '../helpers/wecom-packets';
import type { Opportunity } from '../../api/src/modules/opportunity/opportunity.model';

/**
 * The API reference is true: every operation documents its success answer (a real schema, a real example) and
 * its error codes, and a walk through every operation checks that what the API answers matches what the
 * reference says. `UPDATE_API_EXAMPLES=1 npx jest tests/integration/openapi.test.ts` rewrites the examples
 * (api/src/modules/openapi/examples.json) from the answers of that walk.
 */
const DING = { clientId: 'dingdocs', clientSecret: 'dingdocssecret', robotCode: 'dingdocsrobot' };
const EXAMPLES_FILE = path.join(__dirname, '../../api/src/modules/openapi/examples.json');

interface Operation {
  summary: string;
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown>; example?: unknown }> }>;
  'x-error-codes': Array<{ code: string; status: number }>;
}
type Doc = { paths: Record<string, Record<string, Operation>>; info: { description: string } };
interface Call {
  key: string;
  status: number;
  body: unknown;
}

let wecom: FakeWeComServer;
let ding: FakeDingTalkServer;
let t: TestApp;
let doc: Doc;
const calls: Call[] = [];

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

const operations = () =>
  Object.entries(doc.paths).flatMap(([p, methods]) => Object.entries(methods).map(([m, op]) => ({ key: `${m.toUpperCase()} ${p}`, op })));
const operation = (key: string) => {
  const [method, p] = key.split(' ') as [string, string];
  return doc.paths[p]![method.toLowerCase()]!;
};
const successOf = (op: Operation) => {
  const status = Object.keys(op.responses).find((s) => s.startsWith('2'))!;
  const content = op.responses[status]!.content!;
  // a file (exports) is documented under its own media types, with a binary schema and no example
  return { status: Number(status), media: content['application/json'] ?? Object.values(content)[0]! };
};
const isFile = (op: Operation) => (successOf(op).media.schema as { format?: string }).format === 'binary';

/** "GET /api/v1/customers/65…?q=x" → "GET /api/v1/customers/{id}" (the documented operation it hits). */
function operationKey(method: string, url: string): string {
  const pathOnly = url.split('?')[0]!;
  const candidates = Object.keys(doc.paths).filter(
    (p) => new RegExp(`^${p.replace(/\{\w+\}/g, '[^/]+')}$`).test(pathOnly) && doc.paths[p]![method.toLowerCase()],
  );
  // a literal segment beats a parameter (/opportunities/stages, not /opportunities/{id})
  candidates.sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
  if (!candidates.length) throw new Error(`no documented operation for ${method} ${url}`);
  return `${method} ${candidates[0]}`;
}

async function call(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, auth: string | null, body?: unknown) {
  let req = t.http[method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete'](url);
  if (auth) req = req.set('authorization', auth);
  const res = body === undefined ? await req : await req.send(body as object);
  calls.push({ key: operationKey(method, url), status: res.status, body: res.body });
  return res;
}

/** Walks every operation as the demo company's people would, recording each answer. */
async function walk() {
  const admin = await t.login('demo-admin');
  const manager = await t.login('demo-manager');
  const rep1 = await t.login('demo-rep1');
  const rep2 = await t.login('demo-rep2');

  // sign-in
  await call('POST', '/api/v1/auth/dev-login', null, { login: 'demo-rep1' });
  await call('GET', '/api/v1/auth/options', null);
  await call('POST', '/api/v1/auth/wecom-miniprogram', null, { code: wecom.issueMiniProgramCode('demo-rep1') });
  await call('POST', '/api/v1/auth/wecom-oauth', null, { code: wecom.issueOAuthCode('demo-manager') });
  await call('POST', '/api/v1/auth/dingtalk', null, { authCode: ding.issueAuthCode('demo-rep2') });
  await call('POST', '/api/v1/auth/wecom-oauth', null, { code: wecom.issueOAuthCode(null) }); // 403: not a member
  const me = await call('GET', '/api/v1/me', rep1);
  await call('GET', '/api/v1/me', null); // 401

  // org
  const users = await call('GET', '/api/v1/users?limit=3', admin);
  const partner = (await t.services.org.findActiveUserByPlatformId('wecom', 'demo-partner'))!;
  await call('GET', `/api/v1/users/${me.body.user.id}`, admin);
  const deps = await call('GET', '/api/v1/departments', admin);
  const depId = deps.body.items[0].id as string;
  await call('GET', `/api/v1/departments/${depId}`, admin);
  const newDep = await call('POST', '/api/v1/departments', admin, { name: '文档测试部', parentId: depId });
  await call('PATCH', `/api/v1/departments/${newDep.body.id}`, admin, { order: 5 });
  const newUser = await call('POST', '/api/v1/users', admin, { name: '文档 测试', departmentIds: [newDep.body.id], title: '实习生' });
  await call('PATCH', `/api/v1/users/${newUser.body.id}`, admin, { title: '销售代表' });
  await call('POST', `/api/v1/users/${newUser.body.id}/deactivate`, admin, {});
  await call('POST', `/api/v1/departments/${newDep.body.id}/deactivate`, admin);
  await call('POST', '/api/v1/users', rep1, { name: '越权', departmentIds: [depId] }); // 403
  expect(users.status).toBe(200);

  // customers
  const created = await call('POST', '/api/v1/customers', rep1, {
    name: '文档示例',
    company: '上海文档示例信息科技有限公司',
    source: '展会',
    tier: 'A',
    region: { province: '上海', city: '上海' },
    tags: ['示例'],
    contacts: [{ name: '文档示例', title: '采购经理', phones: ['13800990011'], emails: ['doc@example.com'], primary: true }],
  });
  expect(created.status).toBe(201);
  const customerId = created.body.id as string;
  await call('POST', '/api/v1/customers', rep2, { name: '文档示例', source: '官网', contacts: [{ name: '别人', phones: ['138 0099 0011'] }] }); // 409
  await call('POST', '/api/v1/customers', rep1, { name: '缺来源' }); // 400
  await call('POST', '/api/v1/customers/duplicate-check', rep1, { name: '文档示例', source: '官网', contacts: [{ name: 'x', phones: ['13800990011'] }] });
  await call('GET', '/api/v1/customers?q=wdsl&limit=2', rep1);
  await call('GET', '/api/v1/customers/0123456789abcdef01234567', rep1); // 404
  await call('PATCH', `/api/v1/customers/${customerId}`, rep1, { industry: '软件' });
  const contact = await call('POST', `/api/v1/customers/${customerId}/contacts`, rep1, { name: '李工', title: '技术负责人', phones: ['021-61234567'] });
  await call('POST', `/api/v1/customers/${customerId}/share`, rep1, { partnerIds: [String(partner._id)] });

  // contacts
  await call('GET', `/api/v1/contacts?customerId=${customerId}`, rep1);
  await call('GET', `/api/v1/contacts/${contact.body.id}`, rep1);
  await call('PATCH', `/api/v1/contacts/${contact.body.id}`, rep1, { title: 'CTO' });

  // follow-ups
  const followUp = await call('POST', '/api/v1/follow-ups', rep1, {
    customerId,
    contactId: contact.body.id,
    type: 'visit',
    content: '上门演示，客户关心报价',
    location: { lat: 31.2304, lng: 121.4737, address: '上海市黄浦区' },
    nextStep: { text: '发送报价单', dueAt: new Date(Date.now() + 26 * 3600_000).toISOString() },
  });
  await call('GET', `/api/v1/follow-ups?customerId=${customerId}`, rep1);
  await call('GET', `/api/v1/follow-ups/${followUp.body.id}`, rep1);
  await call('PATCH', `/api/v1/follow-ups/${followUp.body.id}`, rep1, { content: '上门演示，客户关心报价和交付周期' });
  await call('PATCH', `/api/v1/follow-ups/${followUp.body.id}`, rep2, { content: '不是我写的' }); // 404 / 403

  // opportunities
  await call('GET', '/api/v1/opportunities/stages', rep1);
  const deal = await call('POST', '/api/v1/opportunities', rep1, { customerId, name: '文档示例 CRM 项目', amountFen: 120_000_000, stage: 'needs' });
  await call('GET', `/api/v1/opportunities?customerId=${customerId}`, rep1);
  await call('GET', `/api/v1/opportunities/${deal.body.id}`, rep1);
  await call('PATCH', `/api/v1/opportunities/${deal.body.id}`, rep1, { probability: 40 });
  await call('POST', `/api/v1/opportunities/${deal.body.id}/stage`, rep1, { stage: 'proposal' });
  await call('POST', `/api/v1/opportunities/${deal.body.id}/stage`, rep1, { stage: 'lost' }); // 400: reason
  await call('POST', `/api/v1/opportunities/${deal.body.id}/stage`, rep1, { stage: 'no-such-stage' }); // 400

  // contracts and approvals
  const contract = await call('POST', '/api/v1/contracts', rep1, {
    customerId,
    opportunityId: deal.body.id,
    number: 'DOC-2026-001',
    title: '文档示例 CRM 年度合同', // under 100,000 元: one approval step (the leader)
    amountFen: 8_000_000,
  });
  await call('POST', '/api/v1/contracts', rep1, { customerId, number: 'DOC-2026-001', title: '重号', amountFen: 1 }); // 409
  await call('GET', `/api/v1/contracts?customerId=${customerId}`, rep1);
  await call('GET', `/api/v1/contracts/${contract.body.id}`, rep1);
  await call('PATCH', `/api/v1/contracts/${contract.body.id}`, rep1, { amountFen: 7_800_000 });
  const submitted = await call('POST', `/api/v1/contracts/${contract.body.id}/submit`, rep1, { comment: '客户要求本月签约' });
  await call('PATCH', `/api/v1/contracts/${contract.body.id}`, rep1, { amountFen: 1 }); // 409: under approval
  await call('GET', '/api/v1/approvals?box=todo', manager);
  await call('GET', `/api/v1/approvals/${submitted.body.id}`, manager);
  await call('POST', `/api/v1/approvals/${submitted.body.id}/decision`, rep2, { decision: 'approve' }); // 404 / 403
  await call('POST', `/api/v1/approvals/${submitted.body.id}/decision`, manager, { decision: 'reject' }); // 400: reason
  await call('POST', `/api/v1/approvals/${submitted.body.id}/decision`, manager, { decision: 'approve', comment: '同意' });
  await t.services.approvals.settled();
  await call('POST', `/api/v1/contracts/${contract.body.id}/sign`, rep1, {});
  const other = await call('POST', '/api/v1/contracts', rep1, { customerId, number: 'DOC-2026-002', title: '作废示例', amountFen: 100_000 });
  await call('POST', `/api/v1/contracts/${other.body.id}/void`, rep1, { reason: '客户取消' });
  const discount = await call('POST', '/api/v1/approvals', rep1, {
    subjectType: 'discount',
    subjectId: deal.body.id,
    discountPercent: 18,
    comment: '竞品压价',
  });
  await call('POST', `/api/v1/approvals/${discount.body.id}/withdraw`, rep1, { comment: '先不申请了' });
  await call('POST', `/api/v1/approvals/${discount.body.id}/withdraw`, rep1, {}); // 409: no longer pending
  await t.services.approvals.settled();

  // reports (each in the caller's scope)
  await call('GET', '/api/v1/reports/funnel?period=month', manager);
  await call('GET', '/api/v1/reports/ranking?period=month&dimension=rep', manager);
  await call('GET', '/api/v1/reports/sources?period=quarter', admin);
  await call('GET', '/api/v1/reports/cycle?period=month', admin);
  await call('GET', '/api/v1/reports/adoption?period=week', manager);
  await call('GET', '/api/v1/reports/stalled?limit=5', manager);
  await call('GET', '/api/v1/reports/forgotten?limit=5', manager);
  await call('GET', '/api/v1/reports/team-overdue', manager);
  await call('GET', '/api/v1/reports/drill?report=funnel&stage=proposal&limit=5', rep1);
  await call('GET', '/api/v1/reports/summary?period=month', rep1);
  await call('GET', '/api/v1/reports/funnel?period=custom', rep1); // 400: custom needs from and to

  // customer moves (after the records: a pool customer cannot be written)
  await call('POST', `/api/v1/customers/${customerId}/release`, rep1, { reason: '客户暂无预算' });
  await call('POST', `/api/v1/customers/${customerId}/claim`, rep2);
  await call('POST', `/api/v1/customers/${customerId}/claim`, rep1); // 409: not in pool
  await call('POST', `/api/v1/customers/${customerId}/transfer`, manager, { ownerId: String(me.body.user.id), reason: '回到原负责人' });
  await call('GET', `/api/v1/customers/${customerId}`, rep1);

  // pools (公海) and lead assignment
  await call('GET', '/api/v1/pools', rep1);
  const pooled = await call('POST', '/api/v1/customers', rep2, {
    name: '公海示例',
    company: '公海示例科技有限公司',
    source: '官网',
    region: { province: '浙江' },
    contacts: [],
  });
  await call('POST', `/api/v1/customers/${pooled.body.id}/release`, rep2, { reason: '暂无需求' });
  await call('GET', '/api/v1/pools/company/customers?limit=2', rep1);
  await call('GET', '/api/v1/pools/south/customers', rep1); // 404: not a member of the 华南 pool
  await call('GET', '/api/v1/pools/near', rep1);
  await call('POST', `/api/v1/pools/customers/${pooled.body.id}/claim`, rep1);
  await call('POST', `/api/v1/pools/customers/${pooled.body.id}/claim`, rep2); // 409: not in the pool
  await call('PUT', `/api/v1/pools/locks/${pooled.body.id}`, manager, { locked: true });
  await call('PUT', `/api/v1/pools/locks/${pooled.body.id}`, rep1, { locked: false }); // 403
  const assigned = await call('POST', '/api/v1/assignments', manager, { customerId: pooled.body.id });
  const assignee = assigned.body.ownerId === me.body.user.id ? rep1 : rep2;
  await call('GET', '/api/v1/assignments', assignee);
  await call('POST', `/api/v1/assignments/${assigned.body.id}/accept`, assignee);
  const reassigned = await call('POST', '/api/v1/assignments', manager, { customerId: pooled.body.id });
  await call('POST', `/api/v1/assignments/${reassigned.body.id}/return`, reassigned.body.ownerId === me.body.user.id ? rep1 : rep2);
  await call('POST', `/api/v1/assignments/${assigned.body.id}/accept`, assignee); // 409: superseded

  // reminders (a deal stalled long enough that the owner's leader gets a team reminder)
  await t.conn.model<Opportunity>('Opportunity').updateOne({ _id: deal.body.id }, { $set: { stageEnteredAt: new Date(Date.now() - 30 * 86_400_000) } });
  await t.services.reminders.runPolicies();
  const upcoming = await call('GET', '/api/v1/reminders?box=upcoming', rep1);
  const reminderId = (upcoming.body.items as Array<{ id: string; followUpId: string | null }>).find((r) => r.followUpId === followUp.body.id)?.id;
  expect(reminderId).toBeDefined();
  await call('GET', `/api/v1/reminders/${reminderId}`, rep1);
  await call('POST', `/api/v1/reminders/${reminderId}/snooze`, rep1, { preset: 'tomorrow-morning' });
  await call('POST', `/api/v1/reminders/${reminderId}/complete`, rep1);
  await call('POST', `/api/v1/reminders/${reminderId}/snooze`, rep1, { preset: '1h' }); // 409: done
  await call('POST', '/api/v1/reminders/complete', rep1, { ids: [reminderId, '0123456789abcdef01234567'] });
  const team = await call('GET', '/api/v1/reminders?box=team', manager);
  const teamItem = (team.body.items as Array<{ id: string; opportunityId: string | null }>).find((r) => r.opportunityId === deal.body.id);
  expect(teamItem).toBeDefined();
  await call('POST', `/api/v1/reminders/${teamItem!.id}/nudge`, manager);
  await call('POST', `/api/v1/reminders/${reminderId}/nudge`, rep1); // 409: not a team reminder

  // the web workbench: QR sign-in, saved views, bulk moves, settings
  await call('GET', '/api/v1/auth/web-login?platform=wecom&state=docs-state-0001', null);
  await call('POST', '/api/v1/auth/wecom-qr', null, { code: wecom.issueOAuthCode('demo-manager') });
  await call('POST', '/api/v1/auth/dingtalk-qr', null, { authCode: ding.issueOAuthCode('demo-rep2') });
  const view = await call('POST', '/api/v1/saved-views', rep1, { page: 'customers', name: 'A 级客户', filters: { owner: 'me', tier: 'A' } });
  await call('GET', '/api/v1/saved-views?page=customers', rep1);
  await call('DELETE', `/api/v1/saved-views/${view.body.id}`, rep1);
  await call('DELETE', `/api/v1/saved-views/${view.body.id}`, rep1); // 404
  const mine = await call('GET', '/api/v1/customers?owner=me&limit=2', rep1);
  const pair = (mine.body.items as Array<{ id: string }>).map((c) => c.id);
  await call('POST', '/api/v1/customers/bulk/transfer', manager, { ids: pair, ownerId: String(me.body.user.id), reason: '示例' });
  await call('POST', '/api/v1/customers/bulk/transfer', rep1, { ids: pair, ownerId: String(me.body.user.id) }); // 403
  await call('POST', '/api/v1/customers/bulk/release', rep1, { ids: pair.slice(0, 1), reason: '示例' });
  await call('GET', '/api/v1/settings', admin);
  await call('GET', '/api/v1/settings', rep1); // 403

  // audit
  await call('GET', '/api/v1/audit?limit=3', admin);
  await call('GET', '/api/v1/audit', rep1); // 403

  // exports (files)
  for (const entity of ['customers', 'contacts', 'follow-ups', 'opportunities', 'contracts']) await call('GET', `/api/v1/exports/${entity}?format=csv`, rep1);
  await call('GET', '/api/v1/exports/customers?format=xlsx&tier=A', manager);
  await call('GET', '/api/v1/exports/customers?limit=5', rep1); // 400: no paging

  // imports: a multipart upload (recorded by hand: call() sends JSON), the dry run, the run worked by the import job's body
  const upload = async (auth: string, csv: string) => {
    const res = await t.http.post('/api/v1/imports').set('authorization', auth).field('entity', 'customers').attach('file', Buffer.from(csv), '客户.csv');
    calls.push({ key: 'POST /api/v1/imports', status: res.status, body: res.body });
    return res;
  };
  const imp = (await upload(manager, '客户名称,手机,负责人\n示例客户甲,13900001234,刘洋\n,13900005678,\n')).body.id as string;
  await call('POST', `/api/v1/imports/${imp}/dry-run`, manager, { dedupe: 'skip', ownerFallback: { mode: 'pool' } });
  await call('POST', `/api/v1/imports/${imp}/run`, manager, { dedupe: 'skip' });
  while (await t.services.imports.work('openapi-walk'));
  await call('GET', `/api/v1/imports/${imp}`, manager);
  await call('GET', '/api/v1/imports', manager);
  await call('GET', `/api/v1/imports/${imp}/errors.xlsx`, manager);
  await call('POST', `/api/v1/imports/${imp}/rollback`, manager);
  while (await t.services.imports.work('openapi-walk'));
  await call('POST', `/api/v1/imports/${imp}/run`, manager, { dedupe: 'skip' }); // 409: rolled back
  await call('POST', `/api/v1/imports/${(await upload(manager, '客户名称\n示例客户乙\n')).body.id}/cancel`, manager);
  await upload(rep1, '客户名称\n示例\n'); // 403
  const template = await call('POST', '/api/v1/imports/templates', manager, { name: '旧系统导出', columns: [{ header: '客户名称', field: 'name' }] });
  await call('GET', '/api/v1/imports/templates', manager);
  await call('DELETE', `/api/v1/imports/templates/${template.body.id}`, manager);

  // hand-over (在职继承): 陈静's customers to 刘洋, by her manager (last: it moves her customers)
  const rep2Id = String((await t.services.org.findActiveUserByPlatformId('wecom', 'demo-rep2'))!._id);
  const handover = { fromUserId: rep2Id, kind: 'in-service', successors: [String(me.body.user.id)], split: 'even' };
  await call('POST', '/api/v1/handovers/preview', manager, handover);
  await call('POST', '/api/v1/handovers/preview', rep1, handover); // 403
  const started = await call('POST', '/api/v1/handovers', manager, { ...handover, onRefused: 'pool' });
  await call('POST', '/api/v1/handovers', manager, { ...handover, onRefused: 'pool' }); // 409: one at a time
  await t.services.handovers.runDue();
  await call('GET', `/api/v1/handovers/${started.body.id}`, manager);
  await call('GET', '/api/v1/handovers?limit=5', manager);
  await call('GET', `/api/v1/handovers/${started.body.id}/items?limit=2`, manager);

  // outbound webhooks (admins): an endpoint, a change it hears about, its delivery log, a replay
  const hook = await call('POST', '/api/v1/webhooks', admin, {
    url: 'http://127.0.0.1:9/crm-hook',
    events: ['customer.updated', 'customer.created'],
    description: 'ERP 同步',
  });
  await call('POST', '/api/v1/webhooks', rep1, { url: 'http://127.0.0.1:9/x', events: ['customer.created'] }); // 403
  await call('POST', '/api/v1/webhooks', admin, { url: 'ftp://example.com/x', events: ['customer.created'] }); // 400
  await call('GET', '/api/v1/webhooks', admin);
  await call('GET', `/api/v1/webhooks/${hook.body.id}`, admin);
  await call('PATCH', `/api/v1/webhooks/${hook.body.id}`, admin, { events: ['customer.created', 'customer.updated'], description: 'ERP 客户同步' });
  await call('POST', '/api/v1/customers', rep1, { name: '钩子示例', company: '苏州钩子示例有限公司', source: '官网' });
  await t.services.webhooks.dispatch();
  await t.services.webhooks.send(); // nobody listens on port 9: retried later
  const deliveries = await call('GET', `/api/v1/webhooks/${hook.body.id}/deliveries?limit=5`, admin);
  await call('POST', `/api/v1/webhooks/${hook.body.id}/deliveries/${deliveries.body.items[0].id}/replay`, admin);
  await call('DELETE', `/api/v1/webhooks/${hook.body.id}`, admin);

  // directory sync (admins): a dry run, a sync, its run
  await call('POST', '/api/v1/directory/dry-run', admin);
  await call('POST', '/api/v1/directory/dry-run', manager); // 403
  const sync = await call('POST', '/api/v1/directory/sync', admin);
  await t.services.directory.settled();
  await call('GET', `/api/v1/directory/runs/${sync.body.id}`, admin);
}

beforeAll(async () => {
  wecom = await new FakeWeComServer(WECOM_TEST_APP).start();
  wecom.directory = new FakeDirectory({ people: 40 });
  ding = await new FakeDingTalkServer(DING).start();
  t = await startTestApp(
    {
      ...WECOM_TEST_ENV(wecom.baseUrl),
      DINGTALK_CLIENT_ID: DING.clientId,
      DINGTALK_CLIENT_SECRET: DING.clientSecret,
      DINGTALK_ROBOT_CODE: DING.robotCode,
      DINGTALK_API_BASE: ding.baseUrl,
      DINGTALK_OAPI_BASE: ding.baseUrl,
      DIRECTORY_SOURCE: 'wecom',
    },
    { crm: true },
  );
  doc = (await t.http.get('/api/v1/openapi.json')).body as Doc;
  await walk();
  // a switch of this test, not configuration of the product
  // eslint-disable-next-line no-restricted-properties
  if (process.env.UPDATE_API_EXAMPLES) writeFileSync(EXAMPLES_FILE, `${JSON.stringify(examplesFrom(calls), null, 2)}\n`);
}, 120_000);
afterAll(async () => {
  await t.close();
  await wecom.stop();
  await ding.stop();
});

/** The first success answer of each operation, arrays cut to two entries (a readable example, still valid). */
const JWT = /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/;
const EXAMPLE_TOKEN = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.示例令牌.签名';

function examplesFrom(all: Call[]): Record<string, unknown> {
  // A signed token never goes into a committed file, even one signed with the test secret.
  const redact = (v: unknown) => (typeof v === 'string' && JWT.test(v) ? EXAMPLE_TOKEN : v);
  const cut = (v: unknown): unknown =>
    Array.isArray(v) ? v.slice(0, 2).map(cut) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cut(x)])) : redact(v);
  const out: Record<string, unknown> = {};
  for (const c of all) if (c.status < 300 && !(c.key in out) && !isFile(operation(c.key))) out[c.key] = cut(c.body);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

const validator = (schema: Record<string, unknown>) => ajv.compile(schema);

describe('OpenAPI document', () => {
  it('is served at /api/v1/openapi.json as OpenAPI 3.1 and describes every route with a summary', async () => {
    const res = await t.http.get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const keys = operations().map((o) => o.key);
    expect(keys).toEqual(
      expect.arrayContaining(['GET /api/v1/customers', 'POST /api/v1/customers', 'POST /api/v1/opportunities/{id}/stage', 'GET /api/v1/audit']),
    );
    for (const { op } of operations()) expect(op.summary).not.toMatch(/^(GET|POST|PATCH|PUT|DELETE) /);
  });

  it('has a summary and a declared response for every mounted route', () => {
    const { publicApi, protectedApi } = apiRouters(t.config, t.services);
    const { undocumented, withoutResponse } = buildOpenApi(
      [
        { router: publicApi, public: true },
        { router: protectedApi, public: false },
      ],
      { version: '0', serverUrl: 'http://x' },
    );
    expect(undocumented).toEqual([]);
    expect(withoutResponse).toEqual([]);
  });

  it('request bodies come from the zod schemas (source is required, unknown fields refused)', () => {
    const body = doc.paths['/api/v1/customers']!.post! as unknown as { requestBody: { content: Record<string, { schema: unknown }> } };
    const schema = body.requestBody.content['application/json']!.schema as {
      required: string[];
      additionalProperties: boolean;
      properties: { source: { enum: string[] } };
    };
    expect(schema.required).toContain('source');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.source.enum).toContain('老客户推荐');
    const list = (doc.paths['/api/v1/customers']!.get as unknown as { parameters: Array<{ name: string }> }).parameters.map((p) => p.name);
    expect(list).toEqual(expect.arrayContaining(['q', 'owner', 'tier', 'status', 'cursor', 'limit']));
  });

  it('every 2xx answer of every operation has a real schema (fields, not just "an object") and an example', () => {
    const trivial: string[] = [];
    const noExample: string[] = [];
    for (const { key, op } of operations()) {
      if (isFile(op)) continue;
      const { media } = successOf(op);
      const s = media.schema as { type?: string; properties?: object; items?: object; anyOf?: object };
      if (!s.properties && !s.items && !s.anyOf) trivial.push(key);
      if (media.example === undefined) noExample.push(key);
    }
    expect(trivial).toEqual([]);
    expect(noExample).toEqual([]);
  });

  it('every documented example validates against its schema', () => {
    const invalid: Array<{ key: string; errors: unknown }> = [];
    for (const { key, op } of operations()) {
      const { media } = successOf(op);
      if (media.example === undefined) continue;
      const validate = validator(media.schema);
      if (!validate(media.example)) invalid.push({ key, errors: validate.errors });
    }
    expect(invalid).toEqual([]);
  });

  it('live answers of every operation the walk reached validate against the documented schema and status', () => {
    const mismatched: Array<{ key: string; status: number; errors?: unknown }> = [];
    for (const c of calls.filter((x) => x.status < 300)) {
      const { status, media } = successOf(operation(c.key));
      if (c.status !== status) mismatched.push({ key: c.key, status: c.status });
      if (isFile(operation(c.key))) continue; // a file: its media type is checked where it is made (export.test.ts)
      const validate = validator(media.schema);
      if (!validate(c.body)) mismatched.push({ key: c.key, status: c.status, errors: validate.errors?.slice(0, 5) });
    }
    expect(mismatched).toEqual([]);
    // the main operations were all answered with success at least once
    const reached = new Set(calls.filter((x) => x.status < 300).map((x) => x.key));
    const missed = operations()
      .map((o) => o.key)
      .filter((k) => !reached.has(k));
    expect(missed).toEqual([]);
  });

  it('live error answers use only the codes (and statuses) documented for their operation', () => {
    const errors = calls.filter((c) => c.status >= 400);
    expect(errors.length).toBeGreaterThan(10);
    const undocumented = errors
      .map((c) => ({ key: c.key, status: c.status, code: (c.body as { error: { code: string } }).error.code }))
      .filter((e) => !operation(e.key)['x-error-codes'].some((d) => d.code === e.code && d.status === e.status));
    expect(undocumented).toEqual([]);
  });

  it('lists each operation’s error codes: the database outage everywhere, the domain conflicts where they happen', () => {
    for (const { key, op } of operations()) {
      const codes = op['x-error-codes'].map((e) => e.code);
      expect({ key, has503: codes.includes('DATABASE_UNAVAILABLE') }).toEqual({ key, has503: true });
      for (const e of op['x-error-codes']) expect(ERROR_CATALOG[e.code as keyof typeof ERROR_CATALOG]?.status).toBe(e.status);
      expect(op.responses['503']).toBeDefined();
    }
    const codesOf = (key: string) => operation(key)['x-error-codes'].map((e) => e.code);
    expect(codesOf('POST /api/v1/customers')).toEqual(
      expect.arrayContaining(['DUPLICATE_SUSPECTED', 'VALIDATION_FAILED', 'UNAUTHENTICATED', 'FORBIDDEN', 'IDEMPOTENCY_KEY_REUSED']),
    );
    expect(codesOf('POST /api/v1/approvals/{id}/decision')).toEqual(expect.arrayContaining(['APPROVAL_NOT_APPROVER', 'APPROVAL_REASON_REQUIRED', 'NOT_FOUND']));
    expect(codesOf('POST /api/v1/auth/dev-login')).not.toContain('FORBIDDEN');
  });

  it('describes the fields people ask about: tier, money in 分, stage keys from the configuration', () => {
    const created = successOf(operation('POST /api/v1/customers')).media.schema as { properties: Record<string, { description?: string }> };
    expect(created.properties.tier!.description).toMatch(/A 重点客户.*7 天/);
    const deal = successOf(operation('GET /api/v1/opportunities/{id}')).media.schema as { properties: Record<string, { description?: string }> };
    expect(deal.properties.amountFen!.description).toContain('分');
    for (const stage of t.services.opportunities.stages) expect(deal.properties.stage!.description).toContain(`${stage.key} ${stage.name}`);
    expect(doc.info.description).toContain('## 如何获取令牌');
    expect(doc.info.description).toContain('Idempotency-Key');
  });

  it('the docs page is served in Chinese', async () => {
    const res = await t.http.get('/api/docs');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('API 文档');
  });
});
