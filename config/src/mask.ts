import type { Config } from './config.types';

const MASK = '******';

/** user:password@ in a MongoDB URI becomes user:******@ */
export function maskMongoUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^:/@]+:)[^@]*@/, `$1${MASK}@`);
}

/** A copy of the config that is safe to log: every secret replaced, URIs without passwords. */
export function maskConfig(config: Config): unknown {
  return {
    ...config,
    database: { ...config.database, uri: config.database.uri && maskMongoUri(config.database.uri) },
    auth: { ...config.auth, jwtSecret: MASK },
    metrics: { ...config.metrics, token: config.metrics.token && MASK },
    directory: { ...config.directory, wecomSecret: config.directory.wecomSecret && MASK },
    wecom: config.wecom && { ...config.wecom, secret: MASK, token: MASK, encodingAesKey: MASK },
    dingtalk: config.dingtalk && {
      ...config.dingtalk,
      clientSecret: MASK,
      token: config.dingtalk.token && MASK,
      aesKey: config.dingtalk.aesKey && MASK,
    },
  };
}
