import path from 'node:path';
import { ConfigError } from './config-error';
import type { Config } from './config.types';
import { approvalRuleProblems, DEFAULT_APPROVAL_RULES } from './approval-rules';
import { DEFAULT_POOL_RULES, poolRuleProblems } from './pool-rules';
import { DEFAULT_PROTECTION_DAYS, DEFAULT_STAGES } from './crm-defaults';
import { DEFAULT_REMINDER_POLICY, parseClock, parseWorkingDays, type ReminderPolicy } from './reminder-policy';
import { DINGTALK_HTTP_REQUIRED, DINGTALK_REQUIRED, envSchema, REPO_ROOT, WECOM_REQUIRED, type RawEnv } from './schema';

export { ConfigError } from './config-error';
export type { Config, DingTalkConfig, LogLevel, ProcessRole, WeComConfig } from './config.types';
export { maskConfig, maskMongoUri } from './mask';
export { DEFAULT_REMINDER_POLICY, type ReminderPolicy } from './reminder-policy';
export { REPO_ROOT } from './schema';
export { approvalRuleProblems, DEFAULT_APPROVAL_RULES } from './approval-rules';
export { DEFAULT_POOL_RULES, poolRuleProblems, type AssignmentRule, type PoolRulesConfig, type PoolSpec, type PoolTierRule } from './pool-rules';

/**
 * Used only outside production with the embedded database and no JWT_SECRET. It is written here, so anyone can
 * sign tokens with it: production refuses to start without a secret of its own (and refuses this one).
 */
export const DEV_JWT_SECRET = 'dev-only-secret-for-the-embedded-database-do-not-use';

type Env = Record<string, string | undefined>;

/**
 * The only place that reads the environment. Pass `process.env` (or a test object); returns a typed,
 * validated Config or throws ConfigError listing every problem at once.
 */
export function loadConfig(env: Env): Config {
  const known = Object.fromEntries(Object.keys(envSchema.shape).map((k) => [k, env[k]]));
  const parsed = envSchema.safeParse(known);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const key = String(i.path[0] ?? '?');
        const given = env[key];
        return `${key}: ${i.message}${given !== undefined ? ` (got ${JSON.stringify(given)})` : ''}`;
      }),
    );
  }
  const e = parsed.data;
  const problems = [...channelProblems(e), ...approvalRuleProblems(DEFAULT_APPROVAL_RULES), ...poolRuleProblems(DEFAULT_POOL_RULES)];
  const embedded = e.MONGODB_URI === undefined;
  const production = e.NODE_ENV === 'production';
  if (e.JWT_SECRET === undefined && (production || !embedded)) {
    problems.push(
      `JWT_SECRET: required when ${production ? 'NODE_ENV=production' : 'MONGODB_URI is set'} (at least 32 characters, e.g. \`openssl rand -hex 32\`)`,
    );
  }
  if (e.JWT_SECRET === DEV_JWT_SECRET && production) {
    problems.push('JWT_SECRET: the development secret is published in the source; set your own (e.g. `openssl rand -hex 32`)');
  }
  // In production nothing that lets a caller act as someone else is on unless asked for, and asking is refused.
  const devLogin = e.DEV_LOGIN ?? (embedded && !production);
  if (e.SANDBOX && production) {
    problems.push('SANDBOX: must be off when NODE_ENV=production (anyone could act as any user in the sandbox chat)');
  }
  if (devLogin && production) {
    problems.push('DEV_LOGIN: must be off when NODE_ENV=production (it lets anyone sign in as any user)');
  }
  if (e.SEED_ON_EMPTY && production) {
    problems.push('SEED_ON_EMPTY: must be off when NODE_ENV=production (the demo company has known logins)');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const port = Number(e.PORT ?? 3000);
  return {
    env: e.NODE_ENV ?? 'development',
    process: { role: e.PROCESS_ROLE ?? 'all', shutdownTimeoutMs: Number(e.SHUTDOWN_TIMEOUT_MS ?? 10_000) },
    http: {
      port,
      host: e.HOST ?? '0.0.0.0',
      publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
      jsonLimitBytes: 1024 * 1024,
      textLimitBytes: 1024 * 1024,
    },
    logLevel: e.LOG_LEVEL ?? 'info',
    logPretty: e.LOG_PRETTY,
    metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT ? Number(e.METRICS_PORT) : undefined },
    leases: { jobMs: Number(e.JOB_LEASE_MS ?? 5 * 60_000), chatEventMs: Number(e.CHAT_EVENT_LEASE_MS ?? 60_000) },
    businessTz: e.BUSINESS_TZ ?? 'Asia/Shanghai',
    database: {
      uri: e.MONGODB_URI,
      systemBinary: e.MONGOMS_SYSTEM_BINARY,
      binarySearchPath: env.PATH ?? '',
      dataDir: path.resolve(REPO_ROOT, e.DATA_DIR ?? '.data'),
      cacheDir: path.resolve(REPO_ROOT, e.CACHE_DIR ?? '.cache'),
      dbName: 'chat_crm',
      seedOnEmpty: e.SEED_ON_EMPTY ?? (embedded && !production),
      requestTimeoutMs: Number(e.DB_REQUEST_TIMEOUT_MS ?? 1500),
      operationTimeoutMs: Number(e.DB_OPERATION_TIMEOUT_MS ?? 10_000),
    },
    auth: {
      devLogin,
      devLoginRemote: e.DEV_LOGIN_REMOTE ?? false,
      jwtSecret: e.JWT_SECRET ?? DEV_JWT_SECRET,
      jwtSecretIsDevDefault: e.JWT_SECRET === undefined,
      jwtTtlSeconds: durationSeconds(e.JWT_TTL ?? '12h'),
    },
    crm: {
      stages: DEFAULT_STAGES,
      protectionDays: Number(e.CUSTOMER_PROTECTION_DAYS ?? DEFAULT_PROTECTION_DAYS),
    },
    imports: {
      dir: path.resolve(REPO_ROOT, e.IMPORT_DIR ?? path.join(e.DATA_DIR ?? '.data', 'imports')),
      maxBytes: Number(e.IMPORT_MAX_MB ?? 200) * 1024 * 1024,
      maxRows: Number(e.IMPORT_MAX_ROWS ?? 1_000_000),
      batchRows: Number(e.IMPORT_BATCH_ROWS ?? 1000),
      leaseMs: 30_000,
    },
    backup: {
      dir: path.resolve(REPO_ROOT, e.BACKUP_DIR ?? path.join(e.DATA_DIR ?? '.data', 'backups')),
      dailyAt: e.BACKUP_DAILY_AT === undefined || e.BACKUP_DAILY_AT === 'off' ? null : e.BACKUP_DAILY_AT,
      keep: Number(e.BACKUP_KEEP ?? 7),
      leaseMs: 10 * 60_000,
    },
    reportRollups: {
      // off in tests (they rebuild when they mean to); 02:30 business time elsewhere
      nightlyRebuildAt: e.REPORTS_REBUILD_AT === 'off' ? null : (e.REPORTS_REBUILD_AT ?? (e.NODE_ENV === 'test' ? null : '02:30')),
      leaseMs: 30 * 60_000,
    },
    reminders: reminderPolicy(e),
    directory: {
      source: e.DIRECTORY_SOURCE === 'off' ? null : (e.DIRECTORY_SOURCE ?? null),
      wecomSecret: e.DIRECTORY_WECOM_SECRET,
      everyMinutes: Number(e.DIRECTORY_SYNC_EVERY_MINUTES ?? 60),
      departments: (e.DIRECTORY_DEPARTMENTS ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
      defaultRole: e.DIRECTORY_DEFAULT_ROLE ?? 'rep',
      defaultScope: e.DIRECTORY_DEFAULT_SCOPE ?? 'own',
      leaderScope: e.DIRECTORY_LEADER_SCOPE ?? 'department_and_children',
    },
    webhooks: {
      allowPrivate: e.WEBHOOK_ALLOW_PRIVATE ?? !production,
      timeoutMs: Number(e.WEBHOOK_TIMEOUT_MS ?? 5000),
      retryForMs: 24 * 3600_000,
      lookbackMs: 5 * 60_000,
      responseCapBytes: 2048,
    },
    approvals: DEFAULT_APPROVAL_RULES,
    handover: {
      tickMs: 15_000,
      pollEveryMs: Number(e.HANDOVER_POLL_MINUTES ?? 10) * 60_000,
      timeoutMs: Number(e.HANDOVER_TIMEOUT_HOURS ?? 26) * 3600_000,
      leaseMs: 2 * 60_000,
      retryMs: 60_000,
    },
    pools: structuredClone(DEFAULT_POOL_RULES),
    sandbox: e.SANDBOX ?? devLogin,
    sandboxRemote: e.SANDBOX_REMOTE ?? false,
    wecom: e.WECOM_CORP_ID
      ? {
          corpId: e.WECOM_CORP_ID,
          agentId: Number(e.WECOM_AGENT_ID),
          secret: e.WECOM_SECRET!,
          token: e.WECOM_TOKEN!,
          encodingAesKey: e.WECOM_ENCODING_AES_KEY!,
          apiBase: e.WECOM_API_BASE ?? 'https://qyapi.weixin.qq.com',
          loginBase: e.WECOM_LOGIN_BASE ?? 'https://login.work.weixin.qq.com',
          callbackWindowSeconds: Number(e.WECOM_CALLBACK_WINDOW_SECONDS ?? 300),
        }
      : null,
    dingtalk: e.DINGTALK_CLIENT_ID
      ? {
          clientId: e.DINGTALK_CLIENT_ID,
          clientSecret: e.DINGTALK_CLIENT_SECRET!,
          robotCode: e.DINGTALK_ROBOT_CODE!,
          mode: e.DINGTALK_MODE ?? 'stream',
          token: e.DINGTALK_TOKEN,
          aesKey: e.DINGTALK_AES_KEY,
          cardTemplateId: e.DINGTALK_CARD_TEMPLATE_ID,
          agentId: e.DINGTALK_AGENT_ID ? Number(e.DINGTALK_AGENT_ID) : undefined,
          apiBase: e.DINGTALK_API_BASE ?? 'https://api.dingtalk.com',
          oapiBase: e.DINGTALK_OAPI_BASE ?? 'https://oapi.dingtalk.com',
          loginBase: e.DINGTALK_LOGIN_BASE ?? 'https://login.dingtalk.com',
        }
      : null,
  };
}

/** A channel is on when any of its settings is present; then all of its required settings must be. */
function channelProblems(e: RawEnv): string[] {
  const problems: string[] = [];
  const missing = (keys: readonly (keyof RawEnv)[]) => keys.filter((k) => e[k] === undefined);
  const anyOf = (prefix: string) =>
    Object.entries(e).some(
      ([k, v]) => k.startsWith(prefix) && !k.endsWith('_API_BASE') && !k.endsWith('_OAPI_BASE') && !k.endsWith('_WINDOW_SECONDS') && v !== undefined,
    );

  if (anyOf('WECOM_')) {
    const m = missing(WECOM_REQUIRED);
    if (m.length) problems.push(`WeCom is partly configured: also set ${m.join(', ')} (or remove every WECOM_* variable to turn WeCom off)`);
  }
  if (anyOf('DINGTALK_')) {
    const m = missing(DINGTALK_REQUIRED);
    if (e.DINGTALK_MODE === 'http') m.push(...missing(DINGTALK_HTTP_REQUIRED));
    if (m.length) problems.push(`DingTalk is partly configured: also set ${m.join(', ')} (or remove every DINGTALK_* variable to turn DingTalk off)`);
  }
  return problems;
}

function reminderPolicy(e: RawEnv): ReminderPolicy {
  const d = DEFAULT_REMINDER_POLICY;
  const quiet = e.QUIET_HOURS === 'off' ? null : e.QUIET_HOURS?.split('-').map(parseClock);
  return {
    ...d,
    hours: {
      quietStartMinute: quiet === null ? 0 : (quiet?.[0] ?? d.hours.quietStartMinute),
      quietEndMinute: quiet === null ? 0 : (quiet?.[1] ?? d.hours.quietEndMinute),
      workingDays: e.WORKING_DAYS ? parseWorkingDays(e.WORKING_DAYS.replace(/\s/g, '')) : d.hours.workingDays,
    },
    digestMinute: e.DIGEST_TIME ? parseClock(e.DIGEST_TIME) : d.digestMinute,
    replyWindowMinutes: e.REMINDER_REPLY_WINDOW_MINUTES !== undefined ? Number(e.REMINDER_REPLY_WINDOW_MINUTES) : d.replyWindowMinutes,
    scheduler: {
      ...d.scheduler,
      tickMs: e.SCHEDULER_TICK_MS ? Number(e.SCHEDULER_TICK_MS) : d.scheduler.tickMs,
      leaseMs: e.REMINDER_LEASE_MS ? Number(e.REMINDER_LEASE_MS) : d.scheduler.leaseMs,
    },
  };
}

function durationSeconds(text: string): number {
  const m = /^(\d+)\s*(s|m|h|d)$/.exec(text)!;
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
