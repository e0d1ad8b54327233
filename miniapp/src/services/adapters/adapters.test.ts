import type { ApprovalDto, Customer360Dto, CustomerDto, ReminderDto } from '../api-types';
import { toApprovalDetail, toApprovalListItem } from './approval.adapter';
import { toCustomer360, toCustomerListItem, toDuplicateVM } from './customer.adapter';
import { toOverdue } from './manager.adapter';
import { toReminder } from './reminder.adapter';

const now = new Date('2026-11-23T02:00:00Z');
const customer = (over: Partial<CustomerDto> = {}): CustomerDto => ({
  id: 'c1',
  name: '张三',
  company: '上海星辰信息科技有限公司',
  source: '展会',
  tier: 'A',
  tags: ['重点'],
  status: 'owned',
  ownerId: 'u1',
  ownerName: '刘洋',
  protectionEndsAt: null,
  lastFollowUpAt: '2026-11-20T02:00:00Z',
  nextFollowUpAt: '2026-11-24T01:00:00Z',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  ...over,
});

describe('adapters: DTO → view model', () => {
  it('customer list items show tier, owner and last contact; pool customers say 公海', () => {
    expect(toCustomerListItem(customer(), now)).toEqual({
      id: 'c1',
      name: '张三',
      company: '上海星辰信息科技有限公司',
      tier: 'A',
      tierClass: 'tier-a',
      owner: '刘洋',
      lastContact: '3天前联系',
      isPool: false,
    });
    expect(toCustomerListItem(customer({ status: 'pool', ownerId: null, lastFollowUpAt: null }), now)).toMatchObject({
      owner: '公海',
      lastContact: '尚未联系',
    });
  });

  it('the 360 view: contacts with a phone to call, timeline, deals with stage, contracts with approval status, next reminder', () => {
    const dto: Customer360Dto = {
      customer: customer({ region: { province: '上海', city: '上海' } }),
      contacts: [{ id: 'p1', customerId: 'c1', name: '张三', title: '采购经理', mobiles: ['+8613800138000'], phones: [], emails: ['a@b.cn'], primary: true }],
      recentFollowUps: [
        {
          id: 'f1',
          customerId: 'c1',
          contactId: null,
          authorId: 'u1',
          type: 'visit',
          content: '演示',
          happenedAt: '2026-11-23T01:00:00Z',
          location: { lat: 31, lng: 121, address: '浦东' },
          nextStep: { text: '发报价', dueAt: '2026-11-24T01:00:00Z' },
          source: 'miniapp',
          createdAt: '2026-11-23T01:00:00Z',
        },
      ],
      openOpportunities: [{ id: 'o1', customerId: 'c1', name: '系统升级', stage: 'qualify', stageName: '初步接洽', amountFen: 12_000_000, ownerId: 'u1' }],
      contracts: [
        { id: 'k1', customerId: 'c1', number: 'HT-1', title: '年度合同', amountFen: 5_000_000, status: 'pending_approval', createdAt: '2026-11-01T00:00:00Z' },
      ],
      nextReminderAt: '2026-11-24T01:00:00Z',
    };
    const vm = toCustomer360(dto, now);
    expect(vm.contacts[0]).toEqual({
      id: 'p1',
      name: '张三',
      title: '采购经理',
      phone: '+8613800138000',
      phoneText: '138 0013 8000',
      email: 'a@b.cn',
      primary: true,
    });
    expect(vm.timeline[0]).toMatchObject({ type: '拜访', when: '今天 09:00', address: '浦东', nextStep: '明天 09:00 · 发报价' });
    expect(vm.opportunities[0]).toEqual({ id: 'o1', name: '系统升级', stage: '初步接洽', amount: '¥12万' });
    expect(vm.contracts[0]).toMatchObject({ status: '审批中', statusClass: 'warn', amount: '¥50,000' });
    expect(vm.nextReminder).toBe('明天 09:00');
    expect(vm.region).toBe('上海'); // not 上海 上海
  });

  it('the duplicate check answer, with candidates from other teams anonymised', () => {
    const vm = toDuplicateVM({
      duplicate: true,
      candidates: [
        { visible: false, ownedBy: '其他团队', reasons: ['mobile'] },
        { visible: true, id: 'c9', name: '李四', company: '杭州云帆', status: 'owned', ownerName: '陈静', reasons: ['company', 'email'] },
      ],
    });
    expect(vm.lines).toEqual(['其他团队的客户（手机号相同）', '李四 · 杭州云帆（负责人 陈静；公司相同、邮箱相同）']);
    expect(vm.openId).toBe('c9');
    expect(toDuplicateVM({ duplicate: false, candidates: [] })).toEqual({ duplicate: false, lines: [], openId: null });
  });

  it('reminders: kind label, due, overdue flag', () => {
    const r: ReminderDto = {
      id: 'r1',
      kind: 'next-step',
      status: 'scheduled',
      dueAt: '2026-11-22T01:00:00Z',
      title: '回访：张三',
      text: '发报价',
      userId: 'u1',
      customerId: 'c1',
      customerName: '张三',
      aboutUser: null,
      opportunityId: null,
      followUpId: 'f1',
      lastContactAt: '2026-11-20T02:00:00Z',
      doneAt: null,
    };
    expect(toReminder(r, now)).toMatchObject({ kind: '跟进提醒', due: '逾期 1天', overdue: true, done: false, lastContact: '上次联系 3天前' });
    expect(toReminder({ ...r, status: 'done' }, now).overdue).toBe(false);
  });

  it('approvals: list item, full route with the current step, history in words', () => {
    const a: ApprovalDto = {
      id: 'a1',
      subjectType: 'contract',
      subjectId: 'k1',
      title: '年度合同',
      status: 'pending',
      requester: { id: 'u1', name: '刘洋' },
      customer: { id: 'c1', name: '张三' },
      amountFen: 5_000_000,
      discountPercent: 10,
      currentStep: 1,
      steps: [
        {
          index: 0,
          name: '部门经理',
          mode: 'any',
          status: 'approved',
          reason: '默认（所有合同）',
          approvers: [{ userId: 'm', name: '张伟', decision: 'approve', comment: '同意', decidedAt: '2026-11-23T01:00:00Z' }],
        },
        {
          index: 1,
          name: '法务',
          mode: 'all',
          status: 'pending',
          reason: '金额 ¥50万 ≥ ¥50万',
          approvers: [{ userId: 'l', name: '吴昊', decision: null, comment: null, decidedAt: null }],
        },
        {
          index: 2,
          name: '财务',
          mode: 'any',
          status: 'waiting',
          reason: '折扣 18% > 15%',
          approvers: [{ userId: 'f', name: '赵敏', decision: null, comment: null, decidedAt: null }],
        },
      ],
      history: [
        { at: '2026-11-22T01:00:00Z', actorId: 'u1', actorName: '刘洋', action: 'submit', comment: null, step: null },
        { at: '2026-11-23T01:00:00Z', actorId: 'm', actorName: '张伟', action: 'approve', comment: '同意', step: 0 },
      ],
      note: '客户年底预算',
      previousId: 'a0',
      resubmission: {
        previousId: 'a0',
        previousStatus: 'rejected',
        rejectedBy: '张伟',
        reason: '价格太低',
        changes: [{ label: '金额', before: '¥60,000', after: '¥50,000' }],
      },
      createdAt: '2026-11-22T01:00:00Z',
      updatedAt: '2026-11-23T01:00:00Z',
    };
    expect(toApprovalListItem(a, now, 'u1')).toMatchObject({ where: '当前：法务 吴昊 审批中', canWithdraw: true, canResubmit: false, myDecision: '' });
    expect(toApprovalListItem(a, now, 'm')).toMatchObject({ myDecision: '我已同意', canWithdraw: false });
    expect(toApprovalListItem({ ...a, status: 'rejected' }, now, 'u1')).toMatchObject({ canWithdraw: false, canResubmit: true });
    expect(toApprovalDetail(a, now, 'l').canDecide).toBe(true);
    expect(toApprovalDetail(a, now, 'f').canDecide).toBe(false);
    expect(toApprovalListItem(a, now)).toMatchObject({
      kind: '合同审批',
      status: '审批中',
      statusClass: 'warn',
      amount: '¥50,000',
      requester: '刘洋',
      customer: '张三',
    });
    const d = toApprovalDetail(a, now);
    expect(d.pending).toBe(true);
    expect(d.discount).toBe('10%');
    expect(d.steps.map((s) => [s.name, s.state, s.current, s.reason])).toEqual([
      ['部门经理', '已同意', false, '默认（所有合同）'],
      ['法务', '审批中', true, '金额 ¥50万 ≥ ¥50万'],
      ['财务', '未开始', false, '折扣 18% > 15%'],
    ]);
    // never-started steps read 未开始, not 待处理
    expect(d.steps[2]!.approvers[0]!.decision).toBe('未开始');
    expect(d.note).toBe('客户年底预算');
    expect(d.resubmission).toEqual({ before: '上次 张伟 驳回「价格太低」', changes: '金额 ¥60,000→¥50,000' });
    expect(d.steps[1]!.mode).toContain('会签');
    expect(d.history.map((h) => h.text)).toEqual(['刘洋 提交审批', '张伟 同意（第 1 步）']);
  });

  it('manager view: a rep’s overdue follow-ups, oldest first (the list behind the dashboard’s overdue bars)', () => {
    const list = toOverdue(
      [
        customer({ id: 'a', name: '甲', nextFollowUpAt: '2026-11-22T01:00:00Z' }),
        customer({ id: 'b', name: '乙', nextFollowUpAt: '2026-11-20T01:00:00Z' }),
        customer({ id: 'c', name: '丙', nextFollowUpAt: '2026-11-30T01:00:00Z' }),
        customer({ id: 'd', name: '丁', nextFollowUpAt: null }),
      ],
      now,
    );
    expect(list.map((o) => o.customer)).toEqual(['乙', '甲']);
  });
});
