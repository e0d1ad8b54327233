import { platformCode } from '../platform/platform-code';
import { taroStore, taroTransport, toast } from '../platform/taro';
import { goToSignIn } from '../platform/ui';
import { createApprovalService } from './approvals';
import { createCustomerService } from './customers';
import { createManagerService } from './manager';
import { createReminderService } from './reminders';
import { createReportService } from './reports';
import { createRequest, randomRequestId } from './request';
import { Session } from './session';
import { VisitService } from './visits';

/** The wiring: one session, one request wrapper, the domain services. Hooks use these (tests pass fakes). */
export const session = new Session({ store: taroStore, platformCode, goToSignIn });
export const request = createRequest({ baseUrl: API_BASE, transport: taroTransport, session, toast, newRequestId: randomRequestId });
session.attach(request);

export const customers = createCustomerService(request, taroStore);
export const visits = new VisitService(request, taroStore);
export const reminders = createReminderService(request);
export const approvals = createApprovalService(request, undefined, () => session.user()?.id ?? null);
export const manager = createManagerService(request);
export const reports = createReportService(request);
