import type { ApprovalRulesConfig, StageDefinition } from '@crm/shared';
import type { ReminderPolicy } from './reminder-policy';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface WeComConfig {
  corpId: string;
  agentId: number;
  secret: string;
  token: string;
  encodingAesKey: string;
  apiBase: string;
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
  /** /metrics: with a token, a bearer token is required; without, it is served only outside production. */
  metrics: { token?: string };
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
  reminders: ReminderPolicy;
  /** Approval routing rules and timeouts (config/src/approval-rules.ts). */
  approvals: ApprovalRulesConfig;
  /** The local web chat at /sandbox (no sign-in: any demo user). */
  sandbox: boolean;
  /** The sandbox from other machines too; by default loopback only. */
  sandboxRemote: boolean;
  wecom: WeComConfig | null;
  dingtalk: DingTalkConfig | null;
}
