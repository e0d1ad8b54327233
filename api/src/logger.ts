import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from '@crm/config';

const MASK = '******';

/**
 * Paths pino replaces before a line is written: credentials in headers and bodies, tokens, and the phone fields
 * of records (a logged customer or contact never shows its number).
 */
export const REDACT_PATHS = [
  'authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'token',
  'accessToken',
  'access_token',
  'secret',
  'password',
  'phone',
  'mobile',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.secret',
  '*.password',
  '*.phone',
  '*.mobile',
  '*.phones',
  '*.jwtSecret',
];

/** A mainland mobile number (11 digits from 13–19), with or without +86, not inside a longer digit run. */
const MOBILE = /(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)\d{4}(\d{4})(?!\d)/g;

/** 13812345678 → 138****5678 wherever it appears in a text. */
export function maskMobiles(text: string): string {
  return text.replace(MOBILE, '$1****$2');
}

function maskStrings(obj: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v !== 'string') continue;
    const masked = maskMobiles(v);
    if (masked !== v) (out ??= { ...obj })[k] = masked;
  }
  return out ?? obj;
}

export interface LoggerOptions {
  /** stdout is a terminal: pretty output outside production unless LOG_PRETTY says otherwise. */
  isTTY?: boolean;
  /** Where lines go (default stdout); tests pass a stream. Ignored by pretty output. */
  destination?: DestinationStream;
}

/** Pretty output for a person at a terminal (or LOG_PRETTY=true); JSON lines otherwise, and always in production unless forced. */
export function wantsPretty(config: Pick<Config, 'env' | 'logPretty'>, isTTY: boolean): boolean {
  return config.logPretty ?? (config.env !== 'production' && isTTY);
}

/**
 * Structured logs, one JSON line per event: credentials and phone fields redacted, mobile numbers masked in
 * messages and string fields (e.g. a chat text quoted in a log line). `opts` may be a boolean (stdout is a TTY).
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'env' | 'logPretty'>, opts: LoggerOptions | boolean = {}): Logger {
  const o: LoggerOptions = typeof opts === 'boolean' ? { isTTY: opts } : opts;
  const pretty = wantsPretty(config, o.isTTY ?? false);
  const errSerializer = pino.stdSerializers.err;
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: { service: 'chat-crm' },
    redact: { paths: REDACT_PATHS, censor: MASK },
    hooks: {
      logMethod(args, method) {
        const masked = args.map((a: unknown) => (typeof a === 'string' ? maskMobiles(a) : a)) as Parameters<typeof method>;
        method.apply(this, masked);
      },
    },
    formatters: { log: (obj) => maskStrings(obj) },
    serializers: {
      err: (err: Error) => {
        const s = errSerializer(err);
        return { ...s, message: maskMobiles(s.message ?? ''), stack: s.stack && maskMobiles(s.stack) };
      },
    },
    transport: pretty ? { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } : undefined,
  };
  return pretty || !o.destination ? pino(options) : pino(options, o.destination);
}
