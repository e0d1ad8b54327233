import { createApprovalService, ReasonRequiredError } from './approvals';
import { createReminderService } from './reminders';
import type { Request, RequestOptions } from './request';

function fakeRequest(answer: unknown) {
  const calls: Array<{ method: string; path: string; opts?: RequestOptions }> = [];
  const request = (async (method: string, path: string, opts?: RequestOptions) => {
    calls.push({ method, path, opts });
    return answer;
  }) as unknown as Request;
  return { calls, request };
}

const reminder = {
  id: 'r1',
  kind: 'next-step',
  status: 'scheduled',
  dueAt: '2026-11-24T01:00:00Z',
  title: 't',
  text: '',
  userId: 'u',
  customerId: null,
  customerName: null,
  aboutUser: null,
  opportunityId: null,
  followUpId: null,
  lastContactAt: null,
  doneAt: null,
};
const approval = {
  id: 'a1',
  subjectType: 'contract',
  subjectId: 'k',
  title: 't',
  status: 'approved',
  requester: { id: 'u', name: '刘洋' },
  customer: null,
  amountFen: null,
  discountPercent: null,
  currentStep: 0,
  steps: [],
  history: [],
  previousId: null,
  createdAt: '2026-11-23T01:00:00Z',
  updatedAt: '2026-11-23T01:00:00Z',
};

describe('reminder service (the reminders API contract)', () => {
  it('lists a box, completes, snoozes with a preset', async () => {
    const { calls, request } = fakeRequest({ items: [reminder], ...reminder });
    const svc = createReminderService(request, () => new Date('2026-11-23T02:00:00Z'));
    expect((await svc.list('overdue'))[0]!.due).toBe('明天 09:00');
    await svc.complete('r1');
    await svc.snooze('r1', 'tomorrow-morning');
    await svc.completeMany(['r1', 'r2']);
    await svc.nudge('r1');
    expect(calls.map((c) => [c.method, c.path, c.opts?.query ?? c.opts?.body])).toEqual([
      ['GET', '/api/v1/reminders', { box: 'overdue' }],
      ['POST', '/api/v1/reminders/r1/complete', {}],
      ['POST', '/api/v1/reminders/r1/snooze', { preset: 'tomorrow-morning' }],
      ['POST', '/api/v1/reminders/complete', { ids: ['r1', 'r2'] }],
      ['POST', '/api/v1/reminders/r1/nudge', {}],
    ]);
  });
});

describe('approval service (the approvals API contract)', () => {
  it('lists, reads, approves with an optional comment', async () => {
    const { calls, request } = fakeRequest({ items: [approval], ...approval });
    const svc = createApprovalService(request);
    expect((await svc.list('todo'))[0]!.status).toBe('已通过');
    expect((await svc.get('a1')).title).toBe('t');
    await svc.decide('a1', 'approve', '  ');
    await svc.decide('a1', 'reject', ' 价格太低 ');
    expect(calls.map((c) => [c.method, c.path, c.opts?.query ?? c.opts?.body])).toEqual([
      ['GET', '/api/v1/approvals', { box: 'todo' }],
      ['GET', '/api/v1/approvals/a1', undefined],
      ['POST', '/api/v1/approvals/a1/decision', { decision: 'approve' }],
      ['POST', '/api/v1/approvals/a1/decision', { decision: 'reject', comment: '价格太低' }],
    ]);
  });

  it('withdraws, and resubmits the same subject through the API that submits it', async () => {
    const { calls, request } = fakeRequest(approval);
    const svc = createApprovalService(request);
    await svc.withdraw('a1');
    await svc.resubmit({ subject: { type: 'contract', id: 'k1', discountPercent: null } }, ' 已按底价调整 ');
    await svc.resubmit({ subject: { type: 'discount', id: 'o1', discountPercent: 18 } }, '');
    await svc.resubmit({ subject: { type: 'customer-report', id: 'c1', discountPercent: null } }, '补充资料');
    expect(calls.map((c) => [c.method, c.path, c.opts?.body])).toEqual([
      ['POST', '/api/v1/approvals/a1/withdraw', {}],
      ['POST', '/api/v1/contracts/k1/submit', { comment: '已按底价调整' }],
      ['POST', '/api/v1/approvals', { subjectType: 'discount', subjectId: 'o1', discountPercent: 18 }],
      ['POST', '/api/v1/approvals', { subjectType: 'customer-report', subjectId: 'c1', comment: '补充资料' }],
    ]);
  });

  it('a rejection without a reason is refused before any request', async () => {
    const { calls, request } = fakeRequest(approval);
    await expect(createApprovalService(request).decide('a1', 'reject', ' ')).rejects.toBeInstanceOf(ReasonRequiredError);
    expect(calls).toEqual([]);
  });
});
