import Koa from 'koa';
import Router from '@koa/router';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from '@crm/config';
import type { AppState } from './context';
import { AppError, CommonErrorCode } from './errors/app-error';
import { databaseHealth } from './db/database-health';
import { requireAuth } from './middleware/auth';
import { databaseDeadline } from './middleware/db-deadline';
import { baseSecurityHeaders, inlineScriptsOf, pageSecurityHeaders } from './middleware/security-headers';
import { jsonBody } from './middleware/body-parser';
import { errorHandler } from './middleware/error-handler';
import { requestId } from './middleware/request-id';
import { approvalRoutes } from './modules/approval/approval.routes';
import { auditRoutes } from './modules/audit/audit.routes';
import { authRoutes } from './modules/auth/auth.routes';
import { DingTalkSignIn, WeComSignIn } from './modules/auth/platform-sign-in';
import { miniappRoutes } from './modules/miniapp/miniapp.routes';
import { consoleRoutes } from './modules/console/console.routes';
import { customerBulkRoutes } from './modules/customer/customer-bulk.routes';
import { savedViewRoutes } from './modules/saved-view/saved-view.routes';
import { settingsRoutes } from './modules/settings/settings.routes';
import { idempotent } from './modules/idempotency/idempotency';
import { healthRoutes, type ReadinessCheck } from './modules/health/health.routes';
import { homeRoutes } from './modules/health/home.routes';
import { contactRoutes } from './modules/contact/contact.routes';
import { contractRoutes } from './modules/contract/contract.routes';
import { poolRoutes } from './modules/pool/pool.routes';
import { assignmentRoutes } from './modules/assignment/assignment.routes';
import { customerRoutes } from './modules/customer/customer.routes';
import { exportRoutes } from './modules/export/export.routes';
import { followUpRoutes } from './modules/follow-up/follow-up.routes';
import { opportunityRoutes } from './modules/opportunity/opportunity.routes';
import { orgRoutes } from './modules/org/org.routes';
import { reminderRoutes } from './modules/reminder/reminder.routes';
import { reportRoutes } from './modules/report/report.routes';
import { importRoutes } from './modules/import/import.routes';
import { webhookRoutes } from './modules/webhook/webhook.routes';
import { directoryRoutes } from './modules/directory/directory.routes';
import { handoverRoutes } from './modules/handover/handover.routes';
import { buildOpenApi } from './modules/openapi/openapi.builder';
import { DOCS_PAGE } from './modules/openapi/docs-page';
import type { Services } from './services';
import { httpMetrics, metricsRoutes } from './metrics/http-metrics';
import type { Metrics } from './metrics/metrics';

export interface AppDeps {
  config: Config;
  logger: Logger;
  connection: Connection;
  /** Which database is in use, for /readyz. */
  databaseKind: string;
  services: Services;
  /** Routers mounted by the composition root beside the API (bot callbacks, the sandbox chat). */
  extraRouters?: Array<Router<AppState>>;
  /** The built H5 mini-app served at /app (default miniapp/dist/h5). */
  miniappDir?: string;
  /** The built web workbench served at /console (default web/dist). */
  consoleDir?: string;
  /** What /readyz reports besides the database (the job runner, platform tokens). */
  readiness?: ReadinessCheck[];
  /** The process's metrics: with them, requests are counted and GET /metrics serves them. */
  metrics?: Metrics;
}

/** Builds the HTTP app without listening: the server entry listens, tests drive app.callback(). */
export function createApp(deps: AppDeps): Koa<AppState> {
  const { config, services } = deps;
  const app = new Koa<AppState>({ proxy: true });
  app.silent = true; // the error handler logs; Koa's default stderr printing would double it

  const health = databaseHealth(deps.connection);
  app.use(requestId(deps.logger));
  if (deps.metrics) app.use(httpMetrics(deps.metrics));
  app.use(baseSecurityHeaders());
  app.use(errorHandler());
  app.use(databaseDeadline(health, config.database.requestTimeoutMs));
  app.use(jsonBody(config.http.jsonLimitBytes));

  for (const r of [
    healthRoutes(deps.connection, deps.databaseKind, health, deps.readiness),
    homeRoutes({ devLogin: config.auth.devLogin, sandbox: config.sandbox, databaseKind: deps.databaseKind, baseUrl: config.http.publicBaseUrl }),
    // with METRICS_PORT, /metrics is served on that port only (server/src/main.ts), not here
    ...(deps.metrics && config.metrics.port === undefined
      ? [metricsRoutes(deps.metrics, { token: config.metrics.token, production: config.env === 'production' })]
      : []),
  ])
    app.use(r.routes());

  const { publicApi, protectedApi } = apiRouters(config, services);
  const { document: openapi } = buildOpenApi(
    [
      { router: publicApi, public: true },
      { router: protectedApi, public: false },
    ],
    { version: '0.1.0', serverUrl: config.http.publicBaseUrl },
  );
  const docs = new Router<AppState>();
  docs.get('/api/v1/openapi.json', (ctx) => {
    ctx.body = openapi;
  });
  docs.get('/api/docs', pageSecurityHeaders({ inlineScripts: inlineScriptsOf(DOCS_PAGE) }), (ctx) => {
    ctx.type = 'html';
    ctx.body = DOCS_PAGE;
  });

  app.use(docs.routes());
  app.use(miniappRoutes(deps.miniappDir).routes());
  app.use(consoleRoutes(deps.consoleDir).routes());
  for (const r of deps.extraRouters ?? []) app.use(r.routes());
  app.use(publicApi.routes());
  app.use(protectedApi.routes());
  app.use(protectedApi.allowedMethods(allowedMethodsOptions));
  return app;
}

/** The /api/v1 routers: public ones, and those behind `requireAuth`. */
export function apiRouters(config: Config, services: Services): { publicApi: Router<AppState>; protectedApi: Router<AppState> } {
  // Public routes first; everything after `protectedApi.use(authenticated)` needs a bearer token.
  const authenticated = requireAuth(services.tokens, services.org);
  const { wecom, dingtalk } = config;
  const publicApi = authRoutes({
    devLogin: config.auth.devLogin,
    devLoginRemote: config.auth.devLoginRemote,
    tokens: services.tokens,
    org: services.org,
    audit: services.audit,
    authenticated,
    wecom: wecom ? { client: new WeComSignIn(wecom), corpId: wecom.corpId, agentId: wecom.agentId, loginBase: wecom.loginBase } : null,
    dingtalk: dingtalk ? { client: new DingTalkSignIn(dingtalk), clientId: dingtalk.clientId, loginBase: dingtalk.loginBase } : null,
  });
  publicApi.prefix('/api/v1');
  const protectedApi = new Router<AppState>({ prefix: '/api/v1' });
  protectedApi.use(authenticated);
  protectedApi.use(idempotent(services.idempotency));
  const domainRoutes = [
    // before customerRoutes: /customers/bulk/transfer would otherwise read as /customers/:id/transfer
    customerBulkRoutes(services),
    savedViewRoutes(services.savedViews),
    settingsRoutes(config),
    orgRoutes(services.org),
    auditRoutes(services.audit),
    customerRoutes(services),
    contactRoutes(services),
    poolRoutes(services),
    assignmentRoutes(services),
    followUpRoutes(services),
    opportunityRoutes(services),
    contractRoutes(services),
    reminderRoutes(services),
    reportRoutes(services, { businessTz: config.businessTz }),
    importRoutes(services, { maxBytes: config.imports.maxBytes, now: () => new Date() }),
    handoverRoutes(services),
    approvalRoutes(services),
    webhookRoutes(services.webhooks),
    directoryRoutes(services.directory),
    exportRoutes(services),
  ];
  for (const r of domainRoutes) protectedApi.use(r.routes());

  return { publicApi, protectedApi };
}

const allowedMethodsOptions = {
  throw: true,
  methodNotAllowed: () => new AppError(405, CommonErrorCode.METHOD_NOT_ALLOWED, '不支持该请求方法'),
  notImplemented: () => new AppError(501, CommonErrorCode.METHOD_NOT_ALLOWED, '不支持该请求方法'),
};
