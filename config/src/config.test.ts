import { ConfigError, loadConfig, maskConfig } from './index';
import { SENSITIVE_KEYS } from './schema';

const AES = 'a'.repeat(43);
const WECOM = {
  WECOM_CORP_ID: 'ww123',
  WECOM_AGENT_ID: '1000002',
  WECOM_SECRET: 'wecom-secret-value-xyz',
  WECOM_TOKEN: 'wecom-token-value',
  WECOM_ENCODING_AES_KEY: AES,
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected ConfigError');
}

describe('loadConfig defaults', () => {
  it('runs on the embedded database with sensible defaults and nothing set', () => {
    const c = loadConfig({});
    expect(c.http.port).toBe(3000);
    expect(c.http.publicBaseUrl).toBe('http://localhost:3000');
    expect(c.businessTz).toBe('Asia/Shanghai');
    expect(c.logLevel).toBe('info');
    expect(c.database.uri).toBeUndefined();
    expect(c.database.seedOnEmpty).toBe(true);
    expect(c.auth.devLogin).toBe(true);
    expect(c.auth.jwtSecretIsDevDefault).toBe(true);
    expect(c.auth.jwtTtlSeconds).toBe(12 * 3600);
    expect(c.wecom).toBeNull();
    expect(c.dingtalk).toBeNull();
  });

  it('turns dev login off by default when a real MongoDB is given', () => {
    const c = loadConfig({ MONGODB_URI: 'mongodb://db:27017/crm', JWT_SECRET: 'x'.repeat(32) });
    expect(c.auth.devLogin).toBe(false);
    expect(c.database.seedOnEmpty).toBe(false);
  });

  it.each([
    ['DEV_LOGIN', 'off', (c: ReturnType<typeof loadConfig>) => c.auth.devLogin, false],
    ['DEV_LOGIN', 'YES', (c: ReturnType<typeof loadConfig>) => c.auth.devLogin, true],
    ['PORT', '8080', (c: ReturnType<typeof loadConfig>) => c.http.publicBaseUrl, 'http://localhost:8080'],
    ['PUBLIC_BASE_URL', 'https://crm.example.com/', (c: ReturnType<typeof loadConfig>) => c.http.publicBaseUrl, 'https://crm.example.com'],
    ['BUSINESS_TZ', 'Asia/Urumqi', (c: ReturnType<typeof loadConfig>) => c.businessTz, 'Asia/Urumqi'],
    ['JWT_TTL', '30m', (c: ReturnType<typeof loadConfig>) => c.auth.jwtTtlSeconds, 1800],
    ['LOG_LEVEL', 'debug', (c: ReturnType<typeof loadConfig>) => c.logLevel, 'debug'],
  ])('%s=%s is read', (key, value, pick, expected) => {
    expect(pick(loadConfig({ [key]: value }))).toEqual(expected);
  });
});

describe('loadConfig rejects malformed and missing values with a clear message', () => {
  it.each([
    [{ PORT: 'abc' }, /^PORT: expected a whole number from 1 to 65535 \(got "abc"\)$/],
    [{ PORT: '70000' }, /^PORT: /],
    [{ BUSINESS_TZ: 'Beijing' }, /^BUSINESS_TZ: expected an IANA time zone/],
    [{ MONGODB_URI: 'postgres://x' }, /^MONGODB_URI: expected a MongoDB connection string/],
    [{ PUBLIC_BASE_URL: 'crm.example.com' }, /^PUBLIC_BASE_URL: expected an http\(s\) URL/],
    [{ DEV_LOGIN: 'maybe' }, /^DEV_LOGIN: expected one of/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
    [{ JWT_SECRET: 'short' }, /^JWT_SECRET: must be at least 32 characters/],
    [{ JWT_TTL: 'forever' }, /^JWT_TTL: expected a duration/],
    [{ MONGODB_URI: 'mongodb://db/crm' }, /^JWT_SECRET: required when MONGODB_URI is set/],
    [{ NODE_ENV: 'production', DEV_LOGIN: 'on', JWT_SECRET: 'x'.repeat(32) }, /^DEV_LOGIN: must be off when NODE_ENV=production/],
    [{ WECOM_ENCODING_AES_KEY: 'short' }, /^WECOM_ENCODING_AES_KEY: expected the 43-character EncodingAESKey/],
    [{ DIGEST_TIME: '9am' }, /^DIGEST_TIME: expected a time of day/],
    [{ QUIET_HOURS: '21:00' }, /^QUIET_HOURS: expected start-end/],
    [{ WORKING_DAYS: '1-8' }, /^WORKING_DAYS: expected days 1 \(Monday\) to 7/],
    [{ SCHEDULER_TICK_MS: '10' }, /^SCHEDULER_TICK_MS: expected milliseconds/],
    [{ REMINDER_REPLY_WINDOW_MINUTES: '-5' }, /^REMINDER_REPLY_WINDOW_MINUTES: /],
  ])('%j', (env, message) => {
    const problems = problemsOf(env as Record<string, string>);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('reports every problem at once', () => {
    expect(problemsOf({ PORT: 'x', BUSINESS_TZ: 'Mars/Base', LOG_LEVEL: 'loud' })).toHaveLength(3);
  });
});

describe('channel settings are required only when the channel is on', () => {
  it('WeCom off when no WECOM_* is set, on with all of them', () => {
    expect(loadConfig({}).wecom).toBeNull();
    const c = loadConfig(WECOM);
    expect(c.wecom).toMatchObject({ corpId: 'ww123', agentId: 1000002, apiBase: 'https://qyapi.weixin.qq.com' });
  });

  it('a partial WeCom setup names what is missing', () => {
    const [p] = problemsOf({ WECOM_CORP_ID: 'ww123', WECOM_SECRET: 's' });
    expect(p).toContain('WECOM_AGENT_ID, WECOM_TOKEN, WECOM_ENCODING_AES_KEY');
  });

  it('an API base alone does not turn a channel on', () => {
    expect(loadConfig({ WECOM_API_BASE: 'http://127.0.0.1:9999' }).wecom).toBeNull();
  });

  it('DingTalk stream mode needs client id, secret and robot code; http mode also token and AES key', () => {
    const base = { DINGTALK_CLIENT_ID: 'ding1', DINGTALK_CLIENT_SECRET: 'sec', DINGTALK_ROBOT_CODE: 'robot' };
    expect(loadConfig(base).dingtalk).toMatchObject({ mode: 'stream' });
    const [p] = problemsOf({ ...base, DINGTALK_MODE: 'http' });
    expect(p).toContain('DINGTALK_TOKEN, DINGTALK_AES_KEY');
    expect(loadConfig({ ...base, DINGTALK_MODE: 'http', DINGTALK_TOKEN: 't', DINGTALK_AES_KEY: AES }).dingtalk?.mode).toBe('http');
  });

  it('DINGTALK_AGENT_ID is optional and numeric (it turns on work notifications for digests)', () => {
    const base = { DINGTALK_CLIENT_ID: 'ding1', DINGTALK_CLIENT_SECRET: 'sec', DINGTALK_ROBOT_CODE: 'robot' };
    expect(loadConfig(base).dingtalk?.agentId).toBeUndefined();
    expect(loadConfig({ ...base, DINGTALK_AGENT_ID: '3141592' }).dingtalk?.agentId).toBe(3141592);
    expect(problemsOf({ ...base, DINGTALK_AGENT_ID: 'agent-1' }).join('\n')).toContain('DINGTALK_AGENT_ID');
  });
});

describe('reminder policy', () => {
  it('defaults: quiet 21:00–08:00, Monday–Friday, digest 09:00, cold days by tier, 2-hour reply window', () => {
    const r = loadConfig({}).reminders;
    expect(r.hours).toEqual({ quietStartMinute: 1260, quietEndMinute: 480, workingDays: [1, 2, 3, 4, 5] });
    expect(r.digestMinute).toBe(540);
    expect(r.coldDaysByTier).toEqual({ A: 7, B: 14, C: 30, D: null });
    expect(r.replyWindowMinutes).toBe(120);
  });

  it('reads the environment overrides', () => {
    const r = loadConfig({
      QUIET_HOURS: '22:30-07:00',
      WORKING_DAYS: '1-6',
      DIGEST_TIME: '8:30',
      SCHEDULER_TICK_MS: '1000',
      REMINDER_REPLY_WINDOW_MINUTES: '30',
    }).reminders;
    expect(r.hours).toEqual({ quietStartMinute: 1350, quietEndMinute: 420, workingDays: [1, 2, 3, 4, 5, 6] });
    expect(r.digestMinute).toBe(510);
    expect(r.scheduler.tickMs).toBe(1000);
    expect(r.replyWindowMinutes).toBe(30);
    expect(loadConfig({ QUIET_HOURS: 'off' }).reminders.hours.quietStartMinute).toBe(loadConfig({ QUIET_HOURS: 'off' }).reminders.hours.quietEndMinute);
  });
});

describe('maskConfig', () => {
  it('never lets a secret value through', () => {
    const env = {
      ...WECOM,
      JWT_SECRET: 'jwt-secret-that-is-long-enough-123456',
      DINGTALK_CLIENT_ID: 'ding1',
      DINGTALK_CLIENT_SECRET: 'ding-secret-value',
      DINGTALK_ROBOT_CODE: 'robot',
      DINGTALK_MODE: 'http',
      DINGTALK_TOKEN: 'ding-token-value',
      DINGTALK_AES_KEY: 'b'.repeat(43),
      METRICS_TOKEN: 'metrics-token-value',
      MONGODB_URI: 'mongodb://crm:p%40ssw0rd@db1:27017,db2:27017/crm?replicaSet=rs0',
    };
    const text = JSON.stringify(maskConfig(loadConfig(env)));
    for (const key of SENSITIVE_KEYS) expect(text).not.toContain(env[key]);
    expect(text).not.toContain('p%40ssw0rd');
    expect(text).toContain('mongodb://crm:******@db1:27017');
  });
});

describe('process role and shutdown', () => {
  it.each([
    [{}, { role: 'all', shutdownTimeoutMs: 10_000 }],
    [{ PROCESS_ROLE: 'web' }, { role: 'web', shutdownTimeoutMs: 10_000 }],
    [
      { PROCESS_ROLE: 'worker', SHUTDOWN_TIMEOUT_MS: '2500' },
      { role: 'worker', shutdownTimeoutMs: 2500 },
    ],
  ])('%j → %j', (env, expected) => {
    expect(loadConfig(env).process).toEqual(expected);
  });

  it.each([[{ PROCESS_ROLE: 'api' }], [{ SHUTDOWN_TIMEOUT_MS: 'soon' }]])('refuses %j', (env) => {
    expect(problemsOf(env).length).toBe(1);
  });
});

describe('leases and the metrics port', () => {
  it.each([
    [{}, { jobMs: 300_000, chatEventMs: 60_000 }, 120_000, undefined],
    [{ JOB_LEASE_MS: '4000', CHAT_EVENT_LEASE_MS: '3000', REMINDER_LEASE_MS: '2000', METRICS_PORT: '9464' }, { jobMs: 4000, chatEventMs: 3000 }, 2000, 9464],
  ])('%j → leases %j, reminder claims %j ms, metrics port %j', (env, leases, reminderLeaseMs, metricsPort) => {
    const c = loadConfig(env);
    expect(c.leases).toEqual(leases);
    expect(c.reminders.scheduler.leaseMs).toBe(reminderLeaseMs);
    expect(c.metrics.port).toBe(metricsPort);
  });

  it.each([[{ JOB_LEASE_MS: '10' }], [{ REMINDER_LEASE_MS: '2m' }], [{ CHAT_EVENT_LEASE_MS: '9999999' }], [{ METRICS_PORT: '70000' }]])('refuses %j', (env) => {
    expect(problemsOf(env).length).toBe(1);
  });
});
