/**
 * Deep links into the mini-app's H5 build (served at /app); each names a page of miniapp/src/app.config.ts
 * (checked by links.test.ts, and opened in Chromium by tests/e2e/bot-links.e2e.test.ts).
 */
export const customerPath = (id: string) => `/app/#/pages/customer/detail?id=${encodeURIComponent(id)}`;
export const remindersPath = () => '/app/#/pages/reminders/index';
/** One approval: route, reasons, history; decide, withdraw or resubmit there. */
export const approvalPath = (id: string) => `/app/#/pages/approvals/detail?id=${encodeURIComponent(id)}`;
/** My approvals (待我审批 / 我已审批 / 我发起的). */
export const approvalsPath = () => '/app/#/pages/approvals/index';
