import type { ApprovalRulesConfig, StageDefinition } from '@crm/shared';
import type { ReminderPolicy } from './reminder-policy';
import type { PoolRulesConfig } from './pool-rules';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface HandoverConfig {
  /** How often the `handover` job looks for hand-overs to advance. */
  tickMs: number;
  /** How often transfer_result is asked while customers may still refuse (HANDOVER_POLL_MINUTES, 10). */
  pollEveryMs: number;
  /** After the last transfer call, transfers still waiting count as timed out (HANDOVER_TIMEOUT_HOURS, 26: WeCom's 24 h and a margin). */
  timeoutMs: number;
  /** How long a worker holds a hand-over it advances (renewed at every step). */
  leaseMs: number;
  /** A step that failed (WeCom busy, database away) is tried again after this long. */
  retryMs: number;
}

export interface WeComConfig {
  corpId: string;
  agentId: number;
  secret: string;
  token: string;
  encodingAesKey: string;
  apiBase: string;
  /** Host of WeCom's web sign-in page (网页登录 QR code): https://login.work.weixin.qq.com. */
  loginBase: string;
  /** Callbacks whose timestamp is further than this from our clock are refused (replays). */
  callbackWindowSeconds: number;
}

export interface DingTalkConfig {
  clientId: string;
  clientSecret: string;
  robotCode: string;
  mode: 'stream' | 'http';
  token?: string;
  aesKey?: string;
  /** Interactive card template (card platform); without one, cards go out as markdown. */
  cardTemplateId?: string;
  /** The internal app's AgentId: with it, digests go out as work notifications (工作通知); without, as robot messages. */
  agentId?: number;
  apiBase: string;
  oapiBase: string;
  /** Host of DingTalk's OAuth page (扫码登录): https://login.dingtalk.com. */
  loginBase: string;
}

/** What one process runs: `web` the HTTP API, callbacks and pages; `worker` the jobs (HTTP: health only); `all` both. */
export type ProcessRole = 'web' | 'worker' | 'all';

export interface Config {
  env: 'development' | 'production' | 'test';
  process: {
    role: ProcessRole;
    /** On SIGTERM, how long in-flight requests, chat work and job runs may take before the process exits anyway. */
    shutdownTimeoutMs: number;
  };
  http: { port: number; host: string; publicBaseUrl: string; jsonLimitBytes: number; textLimitBytes: number };
  logLevel: LogLevel;
  /** LOG_PRETTY: true/false forces human-readable logs on/off; unset: pretty only at a terminal outside production. */
  logPretty?: boolean;
  /**
   * /metrics: with a token, a bearer token is required; without, it is served only outside production. With a
   * port (METRICS_PORT), it is served on that port only (a listener of its own), never on the public one.
   */
  metrics: { token?: string; port?: number };
  /**
   * How long claimed work stays with the process that took it; a process that dies loses it when this runs
   * out, then another takes it over. The reminders' claims are `reminders.scheduler.leaseMs` (REMINDER_LEASE_MS).
   */
  leases: {
    /** JOB_LEASE_MS: a job run under its lease (the approval sweep); longer than its longest run. */
    jobMs: number;
    /** CHAT_EVENT_LEASE_MS: an accepted chat event being handled, before `chat-event-recovery` retries it. */
    chatEventMs: number;
  };
  businessTz: string;
  database: {
    /** Set: use this MongoDB; unset: the embedded default (see docs/architecture.md). */
    uri?: string;
    systemBinary?: string;
    /** PATH, to look for a local mongod. */
    binarySearchPath: string;
    dataDir: string;
    cacheDir: string;
    dbName: string;
    /** Never in production. */
    seedOnEmpty: boolean;
    /**
     * How long an HTTP request may wait on a database that stopped answering before it gets
     * 503 DATABASE_UNAVAILABLE (DB_REQUEST_TIMEOUT_MS); also the driver's server selection bound.
     */
    requestTimeoutMs: number;
    /** Upper bound of any one database operation, for background work too (maxTimeMS; the socket timeout is a bit longer). */
    operationTimeoutMs: number;
  };
  auth: {
    devLogin: boolean;
    /** Dev login from other machines too; by default only requests whose socket comes from loopback see it. */
    devLoginRemote: boolean;
    jwtSecret: string;
    /** True when no JWT_SECRET was given and a development secret is in use. */
    jwtSecretIsDevDefault: boolean;
    jwtTtlSeconds: number;
  };
  crm: {
    stages: StageDefinition[];
    protectionDays: number;
  };
  /** Excel / CSV imports (api/src/modules/import). */
  imports: {
    /** Uploaded files wait here (IMPORT_DIR, default <DATA_DIR>/imports); web and worker processes must share it. */
    dir: string;
    /** IMPORT_MAX_MB (200). */
    maxBytes: number;
    /** IMPORT_MAX_ROWS (1,000,000). */
    maxRows: number;
    /** Rows per batch (one checkpoint each; IMPORT_BATCH_ROWS, 1000). */
    batchRows: number;
    /** A worker's hold on a run; a crashed worker's run is taken over after this (30 s). */
    leaseMs: number;
  };
  /** Backups (`npm run backup` / `npm run restore`, the daily `backup` job: server/src/backup). */
  backup: {
    /** Where archives go (BACKUP_DIR, default <DATA_DIR>/backups); the default of `npm run backup` too. */
    dir: string;
    /** BACKUP_DAILY_AT: the daily backup's time of day in BUSINESS_TZ (`03:30`); null = no scheduled backup (default, `off`). */
    dailyAt: string | null;
    /** BACKUP_KEEP: archives kept in `dir` after a scheduled backup (7); older ones are deleted. */
    keep: number;
    /** The job's hold on a run, renewed while it writes (10 min). */
    leaseMs: number;
  };
  /** The report roll-ups' nightly rebuild (api/src/modules/report, the `report-rebuild` job). */
  reportRollups: {
    /**
     * REPORTS_REBUILD_AT: the time of day in BUSINESS_TZ of the nightly rebuild from the records, which heals a change a
     * listener missed (`02:30`; `off` = none; off by default in tests); null = none.
     */
    nightlyRebuildAt: string | null;
    /** The job's hold on a run, renewed between the collections it reads (30 min). */
    leaseMs: number;
  };
  reminders: ReminderPolicy;
  /** Approval routing rules and timeouts (config/src/approval-rules.ts). */
  approvals: ApprovalRulesConfig;
  /** Pools (公海), reclaim rules and lead assignment (config/src/pool-rules.ts). */
  pools: PoolRulesConfig;
  /** The local web chat at /sandbox (no sign-in: any demo user). */
  sandbox: boolean;
  /** The sandbox from other machines too; by default loopback only. */
  sandboxRemote: boolean;
  wecom: WeComConfig | null;
  dingtalk: DingTalkConfig | null;
  /** Directory sync (api/src/modules/directory): the platform whose org chart is copied, and the mapping rules. */
  directory: DirectoryConfig;
  /** Outbound webhooks (api/src/modules/webhook). */
  webhooks: WebhookConfig;
  /** Hand-overs (api/src/modules/handover): the job's rhythm and WeCom's transfer window. */
  handover: HandoverConfig;
}

export interface DirectoryConfig {
  /** DIRECTORY_SOURCE: the platform whose departments and people are copied; null = no sync (default). */
  source: 'wecom' | 'dingtalk' | null;
  /** WeCom's contact-sync (通讯录同步) secret, DIRECTORY_WECOM_SECRET; default the app's WECOM_SECRET. */
  wecomSecret?: string;
  /** The scheduled full sync, every DIRECTORY_SYNC_EVERY_MINUTES (60). */
  everyMinutes: number;
  /** Platform department ids whose trees are in scope (DIRECTORY_DEPARTMENTS); empty = the whole directory. */
  departments: string[];
  /** Role and data scope of a person the sync creates (DIRECTORY_DEFAULT_ROLE rep, DIRECTORY_DEFAULT_SCOPE own). */
  defaultRole: 'rep' | 'manager' | 'partner';
  defaultScope: 'own' | 'own_and_subordinates' | 'department' | 'department_and_children' | 'all';
  /** Department leaders become managers with this scope (DIRECTORY_LEADER_SCOPE department_and_children). */
  leaderScope: 'own' | 'own_and_subordinates' | 'department' | 'department_and_children' | 'all';
}

export interface WebhookConfig {
  /** http URLs and private / loopback addresses allowed (WEBHOOK_ALLOW_PRIVATE; default on outside production, off in it). */
  allowPrivate: boolean;
  /** Per delivery attempt (WEBHOOK_TIMEOUT_MS, 5000). */
  timeoutMs: number;
  /** How long a delivery is retried before it is marked failed (24 h). */
  retryForMs: number;
  /** How far back each dispatcher pass looks behind its cursor for audit entries written late (5 min). */
  lookbackMs: number;
  /** How much of a receiver's answer is kept in the delivery log (2 KB). */
  responseCapBytes: number;
}
