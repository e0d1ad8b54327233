/** Step 3 of the chain: mongodb-memory-server (downloads a real mongod once; needs internet, fails in milliseconds without it). */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import dns from 'node:dns/promises';
import path from 'node:path';
import { canConnect } from './net';
import type { ResolvedDatabase, ResolveOptions } from './types';

const MONGODB_DOWNLOAD_HOST = 'fastdl.mongodb.org';

/** DNS, then a TCP connection to port 443, both capped: without internet this answers false in milliseconds. */
async function hostReachable(host: string, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const probe = (async () => {
    const { address } = await dns.lookup(host);
    return canConnect(443, address, timeoutMs);
  })().catch(() => false);
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  return Promise.race([probe, timeout]).finally(() => clearTimeout(timer));
}

export async function startMemoryServer(opts: ResolveOptions): Promise<ResolvedDatabase> {
  const downloadDir = path.join(opts.cacheDir, 'mongodb-binaries');
  const cached = existsSync(downloadDir) && readdirSync(downloadDir).some((f) => f.startsWith('mongod'));
  if (!cached && !(await hostReachable(MONGODB_DOWNLOAD_HOST, 3_000)))
    throw new Error(`no cached mongod in ${downloadDir} and ${MONGODB_DOWNLOAD_HOST} cannot be reached to download one (no internet?)`);

  let mms: typeof import('mongodb-memory-server-core');
  try {
    mms = await import('mongodb-memory-server-core');
  } catch {
    throw new Error('the mongodb-memory-server-core package is not installed (it is a dev dependency)');
  }
  const timeoutMs = opts.memoryServerTimeoutMs ?? 120_000;
  const dbPath = opts.persistent ? path.join(opts.dataDir, 'memory-server') : undefined;
  if (dbPath) mkdirSync(dbPath, { recursive: true });
  if (!cached) opts.log(`mongodb-memory-server: downloading a mongod binary into ${downloadDir} (first start only, about 100 MB)…`);

  const creating = mms.MongoMemoryServer.create({
    instance: { dbPath, storageEngine: 'wiredTiger', ip: '127.0.0.1' },
    binary: { downloadDir },
  });
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const server = await Promise.race([
    creating,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new Error(`no mongod running within ${timeoutMs} ms (downloading needs internet)`));
      }, timeoutMs);
    }),
  ]).finally(() => {
    clearTimeout(timer);
    // The download cannot be cancelled: should it still finish after we gave up, stop what it started.
    if (timedOut)
      creating.then(
        (late) => late.stop({ doCleanup: !opts.persistent }),
        () => undefined,
      );
  });

  return {
    kind: 'memory-server',
    uri: server.getUri(opts.dbName),
    description: `mongodb-memory-server (a real mongod, ${dbPath ? `data in ${dbPath}` : 'temporary data'})`,
    dataLocation: dbPath ?? server.instanceInfo?.dbPath ?? null,
    stop: async () => {
      await server.stop({ doCleanup: !opts.persistent, force: false });
    },
  };
}
