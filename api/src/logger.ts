import pino, { type Logger } from 'pino';
import type { Config } from '@crm/config';

/** Structured logs; credentials in headers never reach them. Pretty output only for a person at a terminal. */
export function createLogger(config: Pick<Config, 'logLevel' | 'env'>, pretty = false): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'chat-crm' },
    redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.token', '*.secret', '*.password'], censor: '******' },
    transport: pretty ? { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } : undefined,
  });
}
