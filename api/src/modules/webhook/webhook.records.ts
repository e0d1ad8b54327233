import { Types } from 'mongoose';
import type { Actor } from '../../context';
import { toDto } from '../../db/to-dto';
import type { ApprovalService } from '../approval/approval.service';
import { toApprovalDto } from '../approval/approval.dto-mapper';
import type { ContractService } from '../contract/contract.service';
import type { CustomerService } from '../customer/customer.service';
import { customerDto } from '../customer/customer.routes';
import type { FollowUpService } from '../follow-up/follow-up.service';
import { RECORD_INTERNAL } from '../idempotency/record-key';
import type { OpportunityService } from '../opportunity/opportunity.service';
import type { UserDoc } from '../org/user.model';
import type { RecordLoader } from './webhook.service';

/**
 * The webhooks read a record as the API shows it, through its owning service, as the system: an actor with
 * scope `all` (the endpoint was registered by an admin, who sees everything). Records that are gone (or
 * types without a loader) give null, and the event carries only the id.
 */
export function systemActor(): Actor {
  const id = new Types.ObjectId('000000000000000000000000');
  const user = { _id: id, name: '系统', roles: ['admin'], dataScope: 'all', status: 'active', departmentIds: [], leaderChain: [] } as unknown as UserDoc;
  return { user, viewer: { userId: id, roles: ['admin'], scope: 'all', departmentIds: [], departmentTreeIds: [], subordinateIds: [] } };
}

export function recordLoader(s: {
  customers: CustomerService;
  followUps: FollowUpService;
  opportunities: OpportunityService;
  contracts: ContractService;
  approvals: ApprovalService;
}): RecordLoader {
  const actor = systemActor();
  const loaders: Record<string, (id: string) => Promise<Record<string, unknown>>> = {
    customer: async (id) => customerDto(await s.customers.get(actor, id)),
    'follow-up': async (id) => toDto(await s.followUps.get(actor, id), RECORD_INTERNAL),
    opportunity: async (id) => {
      const o = await s.opportunities.get(actor, id);
      return { ...toDto(o, RECORD_INTERNAL), stageName: s.opportunities.stageName(o.stage) };
    },
    contract: async (id) => toDto(await s.contracts.get(actor, id), RECORD_INTERNAL),
    approval: async (id) => toApprovalDto(await s.approvals.get(actor, id)) as unknown as Record<string, unknown>,
  };
  return async (entityType, id) => {
    const load = loaders[entityType];
    if (!load || !Types.ObjectId.isValid(id)) return null;
    try {
      return await load(id);
    } catch (err) {
      if ((err as { status?: number }).status === 404) return null;
      throw err;
    }
  };
}
