/**
 * The database resolution chain behind `npm start`, the seed, the benchmarks and the tests:
 *   1. MONGODB_URI, if set: used as given, nothing is started;
 *   2. a local mongod (the configured binary, else `mongod` on PATH), started on a free loopback port;
 *   3. mongodb-memory-server (downloads a real mongod once; needs internet, fails in milliseconds without it);
 *   4. mongo-java-server, the offline stand-in (Java 17 + jars from Maven Central, fetched with Maven on first use):
 *      an H2 file under dataDir for `npm start`, memory for tests.
 * When none works, NoDatabaseError says what each step tried and why it failed, and how to fix it.
 * Nothing here reads the environment: the caller passes everything in (see resolveOptionsFrom).
 */
import { maskMongoUri, type Config } from '@crm/config';
import { startMemoryServer } from './memory-server';
import { MONGO_JAVA_SERVER_VERSION, startMongoJavaServer } from './mongo-java-server';
import { startSystemMongod } from './system-mongod';
import { NoDatabaseError, type EmbeddedDbKind, type ResolveAttempt, type ResolvedDatabase, type ResolveOptions } from './types';

export { MONGO_JAVA_SERVER_DIR, MONGO_JAVA_SERVER_VERSION } from './mongo-java-server';
export { NoDatabaseError, type EmbeddedDbKind, type ResolveAttempt, type ResolvedDatabase, type ResolveOptions } from './types';

/** The resolution options that follow from the configuration (start, seed and benchmarks). */
export function resolveOptionsFrom(config: Config, log: (msg: string) => void, overrides: Partial<ResolveOptions> = {}): ResolveOptions {
  return {
    mongodbUri: config.database.uri,
    persistent: true,
    dataDir: config.database.dataDir,
    cacheDir: config.database.cacheDir,
    dbName: config.database.dbName,
    systemBinary: config.database.systemBinary,
    pathEnv: config.database.binarySearchPath,
    log,
    ...overrides,
  };
}

export async function resolveDatabase(opts: ResolveOptions): Promise<ResolvedDatabase> {
  if (opts.mongodbUri) {
    return { kind: 'uri', uri: opts.mongodbUri, description: `MongoDB at ${maskMongoUri(opts.mongodbUri)}`, dataLocation: null, stop: async () => undefined };
  }
  const attempts: ResolveAttempt[] = [{ step: 'MONGODB_URI', reason: 'not set' }];
  const steps: Array<[EmbeddedDbKind, string, () => Promise<ResolvedDatabase>]> = [
    ['system-mongod', 'local mongod', () => startSystemMongod(opts)],
    ['memory-server', 'mongodb-memory-server', () => startMemoryServer(opts)],
    ['mongo-java-server', `mongo-java-server ${MONGO_JAVA_SERVER_VERSION} (offline stand-in)`, () => startMongoJavaServer(opts)],
  ];
  for (const [kind, step, start] of steps) {
    if (opts.skip?.includes(kind)) {
      attempts.push({ step, reason: 'skipped' });
      continue;
    }
    try {
      return await start();
    } catch (err) {
      const reason = maskMongoUri(err instanceof Error ? err.message : String(err))
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .join(' ')
        .slice(0, 600);
      attempts.push({ step, reason });
      opts.log(`${step} not available: ${reason}`);
    }
  }
  throw new NoDatabaseError(attempts);
}
