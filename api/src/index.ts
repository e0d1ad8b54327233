/**
 * `@crm/api`: the public surface of the domain and its HTTP app. Other workspaces (the bot, the server,
 * scripts and benchmarks) import only from here, never a module's files: services and their DTOs / views,
 * the ports the domain calls out through, the HTTP app, and the database plumbing the server wires.
 */

// ---- the HTTP app and what routes beside it share -------------------------------------------------
export { createApp, type AppDeps } from './app';
export type { Actor, AppContext, AppMiddleware, AppState, RequestMeta } from './context';
export { AppError, CommonErrorCode, conflict, forbidden, notFound, unauthenticated } from './errors/app-error';
export { validate } from './middleware/validate';
export { inlineScriptsOf, pageSecurityHeaders } from './middleware/security-headers';
export { isLoopbackAddress, loopbackOnly } from './middleware/loopback-only';
export { createLogger } from './logger';
export { createMetrics, Metrics } from './metrics/metrics';
export { instrumentMongo } from './metrics/db-metrics';
export { metricsListener } from './metrics/http-metrics';
export type { ReadinessCheck } from './modules/health/health.routes';

// ---- services (the domain's API) and the ports it calls out through --------------------------------
export { buildServices, type Ports, type Services } from './services';
export type { ImportNotifier, ImportService } from './modules/import/import.service';
export type { SavedViewService } from './modules/saved-view/saved-view.service';
export type { ExportResult, ExportService } from './modules/export/export.service';
export type { OrgService } from './modules/org/org.service';
export type { DirectoryService } from './modules/directory/directory.service';
export type { DirectoryDepartment, DirectoryEvents, DirectoryPerson, DirectorySource, LeaverNotice, PendingHandover } from './modules/directory/directory.port';
export type { WebhookService } from './modules/webhook/webhook.service';
export { checkWebhookTarget, isPublicAddress, WebhookTargetRefused, type Resolver as WebhookResolver } from './modules/webhook/webhook.guard';
export { signatureHeader, verifySignature, SIGNATURE_HEADER, EVENT_ID_HEADER } from './modules/webhook/webhook.signing';
export { WEBHOOK_EVENT_TYPES } from './modules/webhook/webhook.events';
export type { UserDoc } from './modules/org/user.model';
export type { PoolEvents, PoolRunResult, PoolService, ReclaimWarning } from './modules/pool/pool.service';
export { daysUntil, warningText } from './modules/pool/pool.rules';
export type { AssignmentEvents, AssignmentService } from './modules/assignment/assignment.service';
export type { ApprovalChange, ApprovalEvents, ApprovalService, ApprovalSweep, SweepResult } from './modules/approval/approval.service';
export type { ApprovalPlain } from './modules/approval/approval.model';
export { canDecide } from './modules/approval/approval.logic';
export type { DigestContent, ReminderService, ReminderView } from './modules/reminder/reminder.service';
export type { ReminderDoc } from './modules/reminder/reminder.model';
export type { HandoverService } from './modules/handover/handover.service';
export type { HandoverEvents, HandoverKind, HandoverNotice, HandoverPlatform, TransferAnswer, TransferState } from './modules/handover/handover.ports';
export { ReminderScheduler, type ReminderSender, type SentTo, type TickResult } from './modules/reminder/reminder.scheduler';

// ---- database plumbing (connections, indexes, leases for jobs, outages) and the demo data -----------
export { connectMongo, connectMongoWaiting, ensureIndexes } from './db/connect';
export { isDatabaseUnavailable } from './db/unavailable';
export { MongoJobLeases, type JobLeasePort } from './db/job-lease';
export { assertSeedAllowed, isEmpty, seedDemoData, type SeedOptions, type SeedResult } from './seed/seed';
