/** Where a customer came from (来源). Required on every customer. */
export const CUSTOMER_SOURCES = ['老客户推荐', '展会', '官网', '广告', '电话营销', '合作伙伴', '地推拜访', '其他'] as const;
export type CustomerSource = (typeof CUSTOMER_SOURCES)[number];

export const CUSTOMER_TIERS = ['A', 'B', 'C', 'D'] as const;
export type CustomerTier = (typeof CUSTOMER_TIERS)[number];

/** owned: has an owner; pool: in the public pool (公海), claimable by any rep. */
export const CUSTOMER_STATUSES = ['owned', 'pool'] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

/** `note` (备注): a written remark, not a contact with the customer (an imported file's 备注 column lands as one). */
export const FOLLOW_UP_TYPES = ['visit', 'call', 'wechat', 'meeting', 'email', 'note'] as const;
export type FollowUpType = (typeof FOLLOW_UP_TYPES)[number];
export const FOLLOW_UP_TYPE_LABELS: Record<FollowUpType, string> = {
  visit: '拜访',
  call: '电话',
  wechat: '微信',
  meeting: '会议',
  email: '邮件',
  note: '备注',
};

export const RECORD_SOURCES = ['api', 'bot', 'miniapp', 'import'] as const;
export type RecordSource = (typeof RECORD_SOURCES)[number];

export const CONTRACT_STATUSES = ['draft', 'pending_approval', 'approved', 'rejected', 'signed', 'void'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];
export const CONTRACT_STATUS_LABELS: Record<ContractStatus, string> = {
  draft: '草稿',
  pending_approval: '审批中',
  approved: '已通过',
  rejected: '已驳回',
  signed: '已签约',
  void: '已作废',
};

/** Which contract status may follow which; everything else is refused. */
export const CONTRACT_TRANSITIONS: Record<ContractStatus, readonly ContractStatus[]> = {
  draft: ['pending_approval', 'void'],
  pending_approval: ['approved', 'rejected', 'draft'],
  approved: ['signed', 'void'],
  rejected: ['draft', 'void'],
  signed: ['void'],
  void: [],
};

/** Opportunity stage as configured in config/ (the stage list is data, not code). */
export interface StageDefinition {
  key: string;
  name: string;
  probability: number;
  /** Days a deal may stay in this stage before it counts as stalled; null for closed stages. */
  slaDays: number | null;
  outcome: 'open' | 'won' | 'lost';
}

/** 分 → "¥1,234.56" */
export function formatFen(fen: number): string {
  const yuan = (fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `¥${yuan}`;
}

export const CUSTOMER_TIER_LABELS: Record<CustomerTier, string> = { A: 'A 级', B: 'B 级', C: 'C 级', D: 'D 级' };
