import path from 'node:path';
import { z } from 'zod';

/** Where the repository lives; default data and cache folders sit under it. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

const optionalString = z
  .string()
  .transform((v) => v.trim())
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

const booleanFlag = optionalString
  .refine((v) => v === undefined || TRUE_WORDS.includes(v.toLowerCase()) || FALSE_WORDS.includes(v.toLowerCase()), {
    message: `expected one of ${[...TRUE_WORDS, ...FALSE_WORDS].join(', ')}`,
  })
  .transform((v) => (v === undefined ? undefined : TRUE_WORDS.includes(v.toLowerCase())));

const port = optionalString.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535), {
  message: 'expected a whole number from 1 to 65535',
});

const url = optionalString.refine((v) => v === undefined || /^https?:\/\/[^\s/$.?#].[^\s]*$/i.test(v), {
  message: 'expected an http(s) URL, e.g. https://crm.example.com',
});

const mongodbUri = optionalString.refine((v) => v === undefined || /^mongodb(\+srv)?:\/\/\S+$/.test(v), {
  message: 'expected a MongoDB connection string starting with mongodb:// or mongodb+srv://',
});

const timeZone = optionalString.refine((v) => v === undefined || isTimeZone(v), {
  message: 'expected an IANA time zone such as Asia/Shanghai',
});

const duration = optionalString.refine((v) => v === undefined || /^\d+\s*(s|m|h|d)$/.test(v), {
  message: 'expected a duration such as 30m, 12h or 7d',
});

/** How long a claim or a job's lease is held before another process may take the work over. */
const leaseMs = optionalString.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 1_000 && Number(v) <= 3_600_000), {
  message: 'expected milliseconds from 1000 to 3600000',
});

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Every environment variable the product reads, as strings. Names are documented in README.md and
 * .env.example; the `sensitive` list below decides what is masked when config is logged.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).optional(),
  PORT: port,
  HOST: optionalString,
  PUBLIC_BASE_URL: url,
  LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  LOG_PRETTY: booleanFlag,
  METRICS_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 16, { message: 'expected at least 16 characters' }),
  BUSINESS_TZ: timeZone,

  MONGODB_URI: mongodbUri,
  MONGOMS_SYSTEM_BINARY: optionalString,
  DATA_DIR: optionalString,
  IMPORT_DIR: optionalString,
  IMPORT_MAX_MB: optionalString.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 2048), {
    message: 'expected MB from 1 to 2048',
  }),
  IMPORT_MAX_ROWS: optionalString.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 10_000_000), {
    message: 'expected rows from 1 to 10000000',
  }),
  IMPORT_BATCH_ROWS: optionalString.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 10 && Number(v) <= 10_000), {
    message: 'expected rows from 10 to 10000',
  }),
  CACHE_DIR: optionalString,
  BACKUP_DIR: optionalString,
  BACKUP_DAILY_AT: optionalString.refine((v) => v === undefined || v === 'off' || /^([01]?\d|2[0-3]):[0-5]\d$/.test(v), {
    message: 'expected a time of day such as 03:30 (business time zone), or off',
  }),
  REPORTS_REBUILD_AT: optionalString.refine((v) => v === undefined || v === 'off' || /^([01]?\d|2[0-3]):[0-5]\d$/.test(v), {
    message: 'expected a time of day such as 02:30 (business time zone), or off',
  }),
  BACKUP_KEEP: optionalString.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 365), {
    message: 'expected whole archives from 1 to 365',
  }),
  PROCESS_ROLE: z.enum(['web', 'worker', 'all']).optional(),
  SHUTDOWN_TIMEOUT_MS: optionalString.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 0 && Number(v) <= 600_000), {
    message: 'expected milliseconds from 0 to 600000',
  }),
  METRICS_PORT: port,
  REMINDER_LEASE_MS: leaseMs,
  JOB_LEASE_MS: leaseMs,
  CHAT_EVENT_LEASE_MS: leaseMs,
  DB_REQUEST_TIMEOUT_MS: optionalString.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 200 && Number(v) <= 60_000), {
    message: 'expected milliseconds from 200 to 60000',
  }),
  DB_OPERATION_TIMEOUT_MS: optionalString.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 1_000 && Number(v) <= 600_000), {
    message: 'expected milliseconds from 1000 to 600000',
  }),

  DEV_LOGIN: booleanFlag,
  JWT_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, {
    message: 'must be at least 32 characters (e.g. `openssl rand -hex 32`)',
  }),
  JWT_TTL: duration,
  SEED_ON_EMPTY: booleanFlag,
  SANDBOX: booleanFlag,
  DEV_LOGIN_REMOTE: booleanFlag,
  SANDBOX_REMOTE: booleanFlag,
  CUSTOMER_PROTECTION_DAYS: optionalString.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 365), {
    message: 'expected whole days from 1 to 365',
  }),

  SCHEDULER_TICK_MS: optionalString.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 200 && Number(v) <= 600_000), {
    message: 'expected milliseconds from 200 to 600000',
  }),
  DIGEST_TIME: optionalString.refine((v) => v === undefined || /^([01]?\d|2[0-3]):[0-5]\d$/.test(v), { message: 'expected a time of day such as 09:00' }),
  QUIET_HOURS: optionalString.refine((v) => v === undefined || v === 'off' || /^([01]?\d|2[0-3]):[0-5]\d-([01]?\d|2[0-3]):[0-5]\d$/.test(v), {
    message: 'expected start-end such as 21:00-08:00, or off',
  }),
  WORKING_DAYS: optionalString.refine((v) => v === undefined || /^[1-7](-[1-7])?(,[1-7](-[1-7])?)*$/.test(v.replace(/\s/g, '')), {
    message: 'expected days 1 (Monday) to 7 (Sunday), e.g. 1-5 or 1-6 or 1,2,3,4,5',
  }),
  REMINDER_REPLY_WINDOW_MINUTES: optionalString.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 0 && Number(v) <= 1440), {
    message: 'expected whole minutes from 0 to 1440',
  }),

  WECOM_CORP_ID: optionalString,
  WECOM_AGENT_ID: optionalString.refine((v) => v === undefined || /^\d+$/.test(v), { message: 'expected the numeric AgentId' }),
  WECOM_SECRET: optionalString,
  WECOM_TOKEN: optionalString,
  WECOM_ENCODING_AES_KEY: optionalString.refine((v) => v === undefined || /^[A-Za-z0-9]{43}$/.test(v), {
    message: 'expected the 43-character EncodingAESKey from the WeCom admin console',
  }),
  WECOM_API_BASE: url,
  /** WeCom's web sign-in (网页登录, QR code) page host; tests point it at the fake. */
  WECOM_LOGIN_BASE: url,
  WECOM_CALLBACK_WINDOW_SECONDS: optionalString.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 10 && Number(v) <= 3600), {
    message: 'expected whole seconds from 10 to 3600',
  }),

  DINGTALK_CLIENT_ID: optionalString,
  DINGTALK_CLIENT_SECRET: optionalString,
  DINGTALK_ROBOT_CODE: optionalString,
  DINGTALK_MODE: z.enum(['stream', 'http']).optional(),
  DINGTALK_TOKEN: optionalString,
  DINGTALK_AES_KEY: optionalString.refine((v) => v === undefined || /^[A-Za-z0-9]{43}$/.test(v), {
    message: 'expected the 43-character aes_key from the DingTalk developer console',
  }),
  DINGTALK_CARD_TEMPLATE_ID: optionalString,
  DINGTALK_AGENT_ID: optionalString.refine((v) => v === undefined || /^\d+$/.test(v), { message: 'expected the numeric AgentId of the DingTalk app' }),
  DINGTALK_API_BASE: url,
  DINGTALK_OAPI_BASE: url,

  // hand-over (issue 18): how often WeCom's transfer_result is asked, and when a transfer still waiting counts as timed out
  HANDOVER_POLL_MINUTES: optionalString.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 1440), {
    message: 'expected whole minutes from 1 to 1440',
  }),
  HANDOVER_TIMEOUT_HOURS: optionalString.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 24 && Number(v) <= 240), {
    message: 'expected whole hours from 24 to 240 (WeCom gives the customer 24 h)',
  }),
  // directory sync (issue 19): which platform's directory is the source of the org, and the mapping rules
  DIRECTORY_SOURCE: z.enum(['wecom', 'dingtalk', 'off']).optional(),
  DIRECTORY_WECOM_SECRET: optionalString,
  DIRECTORY_SYNC_EVERY_MINUTES: optionalString.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 1440), {
    message: 'expected whole minutes from 1 to 1440',
  }),
  DIRECTORY_DEPARTMENTS: optionalString.refine((v) => v === undefined || /^[\w-]+(,[\w-]+)*$/.test(v.replace(/\s/g, '')), {
    message: 'expected platform department ids separated by commas, e.g. 1,7',
  }),
  DIRECTORY_DEFAULT_ROLE: z.enum(['rep', 'manager', 'partner']).optional(),
  DIRECTORY_DEFAULT_SCOPE: z.enum(['own', 'own_and_subordinates', 'department', 'department_and_children', 'all']).optional(),
  DIRECTORY_LEADER_SCOPE: z.enum(['own', 'own_and_subordinates', 'department', 'department_and_children', 'all']).optional(),
  // outbound webhooks (issue 19)
  WEBHOOK_ALLOW_PRIVATE: booleanFlag,
  WEBHOOK_TIMEOUT_MS: optionalString.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 100 && Number(v) <= 60_000), {
    message: 'expected milliseconds from 100 to 60000',
  }),
  /** DingTalk's OAuth (扫码登录) page host; tests point it at the fake. */
  DINGTALK_LOGIN_BASE: url,
});

export type RawEnv = z.infer<typeof envSchema>;

export const WECOM_REQUIRED = ['WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_SECRET', 'WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY'] as const;
export const DINGTALK_REQUIRED = ['DINGTALK_CLIENT_ID', 'DINGTALK_CLIENT_SECRET', 'DINGTALK_ROBOT_CODE'] as const;
export const DINGTALK_HTTP_REQUIRED = ['DINGTALK_TOKEN', 'DINGTALK_AES_KEY'] as const;

/** Values never written to a log as they are. */
export const SENSITIVE_KEYS = [
  'JWT_SECRET',
  'METRICS_TOKEN',
  'WECOM_SECRET',
  'WECOM_TOKEN',
  'WECOM_ENCODING_AES_KEY',
  'DINGTALK_CLIENT_SECRET',
  'DINGTALK_TOKEN',
  'DINGTALK_AES_KEY',
] as const;
