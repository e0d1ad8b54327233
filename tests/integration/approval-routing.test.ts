import { Types } from 'mongoose';
import type { ApprovalStepSpec } from '@crm/shared';
import { decide, escalate, isRefusal, type Transition } from '../../api/src/modules/approval/approval.logic';
import type { ApprovalPlain } from '../../api/src/modules/approval/approval.model';
import { resolveRoute } from '../../api/src/modules/approval/approval.routing';
import type { UserDoc } from '../../api/src/modules/org/user.model';
import { startTestApp, type TestApp } from '../helpers/test-app';
import type { Department } from '../../api/src/modules/org/department.model';

let t: TestApp;
const meta = { requestId: 'test', channel: 'system' as const, actorId: null };
const users = new Map<string, UserDoc>();
beforeAll(async () => {
  t = await startTestApp();
  // A chain five deep under the GM: L1 (top) ← L2 ← L3 ← L4 ← worker; and an orphan with no leader.
  const dep = await t.conn.model<Department>('Department').findOne({ name: '华东销售部' }).lean();
  let leaderId: string | undefined = undefined;
  for (const name of ['L1', 'L2', 'L3', 'L4', 'worker']) {
    const u = await t.services.org.createUser(meta, { name, departmentIds: [String(dep!._id)], leaderId, roles: ['rep'], dataScope: 'own', identities: {} });
    users.set(name, u);
    leaderId = String(u._id);
  }
  users.set(
    'orphan',
    await t.services.org.createUser(meta, { name: 'orphan', departmentIds: [String(dep!._id)], roles: ['rep'], dataScope: 'own', identities: {} }),
  );
  for (const [k, u] of users) users.set(k, (await t.services.org.findActiveUserById(u._id))!);
});
afterAll(() => t.close());

const spec = (approvers: ApprovalStepSpec['approvers'], mode: 'any' | 'all' = 'any', key = 's'): ApprovalStepSpec => ({
  key,
  name: key,
  order: 1,
  mode,
  approvers,
});
const names = async (who: string, approvers: ApprovalStepSpec['approvers']) =>
  (await resolveRoute(t.services.org, users.get(who)!, [spec(approvers)], new Date()))[0]!.approvers.map((a) => a.name);

describe('resolving approvers from the org', () => {
  it.each([
    [1, ['L4']],
    [2, ['L3']],
    [3, ['L2']],
    [4, ['L1']],
    [5, ['L1']], // the chain is shorter: its top
    [9, ['L1']],
  ])('supervisor %i levels up from a worker four levels deep is %j', async (levels, expected) => {
    expect(await names('worker', [{ type: 'supervisor', levels }])).toEqual(expected);
  });

  it('a missing leader is never skipped: the department’s leader stands in, and the route says why', async () => {
    const steps = await resolveRoute(
      t.services.org,
      users.get('orphan')!,
      [spec([{ type: 'directLeader' }], 'any', 'a'), spec([{ type: 'departmentLeader', department: '法务部' }], 'any', 'b')],
      new Date(),
    );
    expect(steps.map((s) => s.status)).toEqual(['pending', 'waiting']);
    expect(steps[0]!.approvers.map((a) => [a.name, a.standInReason])).toEqual([['张伟', '申请人没有上级，由部门负责人 张伟 代为审批']]);
    expect(steps[1]!.approvers.map((a) => a.name)).toEqual(['吴昊']);
  });

  it('named users by login, a role in the requester’s department, department leaders; never the requester', async () => {
    expect(await names('worker', [{ type: 'users', users: ['demo-finance', 'demo-legal'] }])).toEqual(['赵敏', '吴昊']);
    expect(await names('worker', [{ type: 'role', role: 'manager' }])).toEqual(['张伟']);
    expect(await names('worker', [{ type: 'departmentLeader', department: '财务部' }])).toEqual(['赵敏']);
    const manager = (await t.services.org.findActiveUserByPlatformId('wecom', 'demo-manager'))!;
    // the only manager of the department is the requester: their own leader stands in
    const steps = await resolveRoute(t.services.org, manager, [spec([{ type: 'role', role: 'manager' }])], new Date());
    expect(steps[0]!.approvers.map((a) => [a.name, a.standInReason])).toEqual([['李娜', '审批人 张伟 是申请人本人，由上级 李娜 代为审批']]);
  });
});

describe('any vs all, and escalation (pure state changes)', () => {
  const person = (name: string) => ({ _id: new Types.ObjectId(), name });
  const [a, b, c] = [person('甲'), person('乙'), person('丙')];
  const approval = (mode: 'any' | 'all'): ApprovalPlain =>
    ({
      _id: new Types.ObjectId(),
      status: 'pending',
      currentStep: 0,
      requesterId: new Types.ObjectId(),
      version: 1,
      steps: [
        {
          index: 0,
          key: 's',
          name: 'S',
          mode,
          status: 'pending',
          startedAt: new Date(),
          remindedAt: null,
          escalatedAt: null,
          approvers: [a, b].map((p) => ({
            userId: p._id,
            name: p.name,
            decision: null,
            comment: null,
            decidedAt: null,
            escalatedFromId: null,
            replacedById: null,
          })),
        },
        {
          index: 1,
          key: 't',
          name: 'T',
          mode: 'any',
          status: 'waiting',
          startedAt: null,
          remindedAt: null,
          escalatedAt: null,
          approvers: [{ userId: c._id, name: c.name, decision: null, comment: null, decidedAt: null, escalatedFromId: null, replacedById: null }],
        },
      ],
    }) as unknown as ApprovalPlain;
  const apply = (x: ApprovalPlain, t: Transition): ApprovalPlain => ({ ...x, status: t.status, currentStep: t.currentStep, steps: t.steps });

  it('any: the first approval settles the step; the other approver then sees who handled it', () => {
    const x = approval('any');
    const t1 = decide(x, a, 'approve', null, new Date()) as Transition;
    expect(t1.outcome).toBe('step-advanced');
    const y = apply(x, t1);
    expect(decide(y, b, 'approve', null, new Date(), 0)).toEqual({ refused: 'handled', byName: '甲' });
  });

  it('all: the step waits for everyone; one rejection ends it', () => {
    const x = approval('all');
    const t1 = decide(x, a, 'approve', null, new Date()) as Transition;
    expect(t1.outcome).toBe('step-pending');
    const t2 = decide(apply(x, t1), b, 'approve', null, new Date()) as Transition;
    expect(t2.outcome).toBe('step-advanced');
    expect(t2.currentStep).toBe(1);
    const r = decide(apply(x, t1), b, 'reject', '不行', new Date()) as Transition;
    expect(r.outcome).toBe('rejected');
    expect(r.status).toBe('rejected');
  });

  it('escalation hands a silent approver to their leader, who can then decide', () => {
    const x = approval('any');
    const boss = person('老板');
    const t1 = escalate(x, new Map([[String(a._id), boss]]), new Date())!;
    expect(t1.history[0]!.comment).toBe('甲 超时未处理，转交 老板');
    const y = apply(x, t1);
    expect(isRefusal(decide(y, a, 'approve', null, new Date()))).toBe(true);
    expect((decide(y, boss, 'approve', null, new Date()) as Transition).outcome).toBe('step-advanced');
  });
});
