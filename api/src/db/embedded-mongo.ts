/**
 * The embedded-database resolution chain used when MONGODB_URI is unset (npm start, npm test):
 *   1. a local mongod (configured path, else on PATH)
 *   2. mongodb-memory-server (downloads a real mongod once; needs internet)
 *   3. mongo-java-server, the offline stand-in (Java 17 + jars from Maven Central)
 * Nothing here reads the environment: the caller passes everything in.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import dns from 'node:dns/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { maskMongoUri, type Config } from '@crm/config';

export type EmbeddedDbKind = 'uri' | 'system-mongod' | 'memory-server' | 'mongo-java-server';

export interface ResolvedDatabase {
  kind: EmbeddedDbKind;
  /** Connection string including the database name. */
  uri: string;
  /** One sentence for the start-up log; never contains a password. */
  description: string;
  /** Where the data lives, or null when it lives in memory. */
  dataLocation: string | null;
  stop(): Promise<void>;
}

export interface ResolveOptions {
  mongodbUri?: string;
  /** true for npm start (data survives restarts), false for tests (in memory / temporary). */
  persistent: boolean;
  dataDir: string;
  cacheDir: string;
  dbName: string;
  systemBinary?: string;
  /** The PATH to search for mongod. */
  pathEnv?: string;
  log: (msg: string) => void;
  /** Cap on mongodb-memory-server's attempt (it downloads). */
  memoryServerTimeoutMs?: number;
  /** Heap of the mongo-java-server JVM (MB); the stand-in keeps everything in memory, so big loads need more. */
  javaHeapMb?: number;
  /** Steps to leave out (tests of the chain itself). */
  skip?: EmbeddedDbKind[];
}

export class NoDatabaseError extends Error {
  constructor(readonly attempts: Array<{ step: string; reason: string }>) {
    super(
      [
        'No database could be started. Tried, in order:',
        ...attempts.map((a, i) => `  ${i + 1}. ${a.step}: ${a.reason}`),
        'Fix one of these: set MONGODB_URI to a MongoDB 4.2+ server; or install mongod (or point MONGOMS_SYSTEM_BINARY at one);',
        'or install Java 17 and Maven (Debian: apt-get install openjdk-17-jre-headless maven) and run `npm run db:jars`.',
      ].join('\n'),
    );
    this.name = 'NoDatabaseError';
  }
}

export const MONGO_JAVA_SERVER_VERSION = '1.47.0';
const REPO_SCRIPTS = path.resolve(__dirname, '..', '..', '..', 'scripts', 'mongo-java-server');

/** The resolution options that follow from the configuration (used by start, seed and benchmarks). */
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
  const attempts: Array<{ step: string; reason: string }> = [];
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
      const reason = err instanceof Error ? err.message.split('\n')[0]! : String(err);
      attempts.push({ step, reason });
      opts.log(`${step} not available: ${reason}`);
    }
  }
  throw new NoDatabaseError(attempts);
}

// ---- 1. a local mongod -------------------------------------------------------------------------

function findOnPath(binary: string, pathEnv: string | undefined): string | null {
  for (const dir of (pathEnv ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, binary);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

async function startSystemMongod(opts: ResolveOptions): Promise<ResolvedDatabase> {
  const binary = opts.systemBinary ?? findOnPath('mongod', opts.pathEnv);
  if (!binary) throw new Error('no mongod on PATH and MONGOMS_SYSTEM_BINARY is not set');
  if (!existsSync(binary)) throw new Error(`MONGOMS_SYSTEM_BINARY points at ${binary}, which does not exist`);
  const dbPath = opts.persistent ? path.join(opts.dataDir, 'mongod') : mkdtempSync(path.join(os.tmpdir(), 'crm-mongod-'));
  mkdirSync(dbPath, { recursive: true });
  const port = await freePort();
  const child = spawn(binary, ['--dbpath', dbPath, '--port', String(port), '--bind_ip', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForLine(child, /Waiting for connections|waiting for connections/, 30_000, 'mongod');
  return {
    kind: 'system-mongod',
    uri: `mongodb://127.0.0.1:${port}/${opts.dbName}`,
    description: `local mongod ${binary} (data in ${dbPath})`,
    dataLocation: dbPath,
    stop: async () => {
      await stopChild(child);
      if (!opts.persistent) rmSync(dbPath, { recursive: true, force: true });
    },
  };
}

// ---- 2. mongodb-memory-server ------------------------------------------------------------------

/** Its download host; checked first so that a machine without internet fails in milliseconds, quietly. */
const MONGODB_DOWNLOAD_HOST = 'fastdl.mongodb.org';

async function startMemoryServer(opts: ResolveOptions): Promise<ResolvedDatabase> {
  const downloadDir = path.join(opts.cacheDir, 'mongodb-binaries');
  const cached = existsSync(downloadDir) && readdirSync(downloadDir).some((f) => f.startsWith('mongod'));
  if (!cached) {
    const reachable = await Promise.race([
      dns.lookup(MONGODB_DOWNLOAD_HOST).then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2_000).unref()),
    ]);
    if (!reachable) throw new Error(`no cached mongod and ${MONGODB_DOWNLOAD_HOST} cannot be reached to download one (no internet?)`);
  }
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  const timeoutMs = opts.memoryServerTimeoutMs ?? 120_000;
  const dbPath = opts.persistent ? path.join(opts.dataDir, 'memory-server') : undefined;
  if (dbPath) mkdirSync(dbPath, { recursive: true });
  let timer: NodeJS.Timeout | undefined;
  const server = await Promise.race([
    MongoMemoryServer.create({
      instance: { dbPath, storageEngine: 'wiredTiger', ip: '127.0.0.1' },
      binary: { downloadDir },
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no mongod binary within ${timeoutMs} ms (the download needs internet)`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  return {
    kind: 'memory-server',
    uri: server.getUri(opts.dbName),
    description: `mongodb-memory-server (real mongod${dbPath ? `, data in ${dbPath}` : ', in memory'})`,
    dataLocation: dbPath ?? null,
    stop: async () => {
      await server.stop({ doCleanup: !opts.persistent, force: false });
    },
  };
}

// ---- 3. mongo-java-server ----------------------------------------------------------------------

function jarsPresent(lib: string): boolean {
  return existsSync(lib) && readdirSync(lib).some((f) => /^mongo-java-server-h2-backend-.*\.jar$/.test(f));
}

function ensureJars(opts: ResolveOptions): string {
  const lib = path.join(opts.cacheDir, 'mongo-java-server', 'lib');
  if (jarsPresent(lib)) return lib;
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error) throw new Error('java is not installed (Java 17 is needed)');
  opts.log(`fetching mongo-java-server ${MONGO_JAVA_SERVER_VERSION} jars from Maven Central (first start only, about 10 s)…`);
  const mvn = spawnSync('mvn', ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`, '-f', path.join(REPO_SCRIPTS, 'pom.xml')], {
    encoding: 'utf8',
  });
  if (mvn.error) throw new Error('the jars are missing and Maven (mvn) is not installed to fetch them');
  if (mvn.status !== 0 || !jarsPresent(lib))
    throw new Error(`mvn could not fetch the jars: ${(mvn.stdout + mvn.stderr).trim().split('\n').slice(-3).join(' | ')}`);
  return lib;
}

async function startMongoJavaServer(opts: ResolveOptions): Promise<ResolvedDatabase> {
  const lib = ensureJars(opts);
  let store = 'memory';
  let dataFile: string | null = null;
  if (opts.persistent) {
    mkdirSync(opts.dataDir, { recursive: true });
    dataFile = path.join(opts.dataDir, 'crm.h2.mv.db');
    store = `h2:${dataFile}`;
  }
  const port = await freePort();
  const child = spawn(
    'java',
    [`-Xmx${opts.javaHeapMb ?? 512}m`, '-XX:+UseSerialGC', '-cp', path.join(lib, '*'), path.join(REPO_SCRIPTS, 'EmbeddedMongo.java'), store, String(port)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  await waitForLine(child, /^READY \d+/m, 60_000, 'mongo-java-server');
  watchForCrash(child, 'mongo-java-server', opts.log);
  return {
    kind: 'mongo-java-server',
    uri: `mongodb://127.0.0.1:${port}/${opts.dbName}`,
    description: `mongo-java-server ${MONGO_JAVA_SERVER_VERSION} (offline stand-in, not MongoDB; ${dataFile ? `H2 file ${dataFile}` : 'in memory'})`,
    dataLocation: dataFile,
    stop: () => stopChild(child),
  };
}

// ---- process helpers ---------------------------------------------------------------------------

/** After start-up: keep the last output, and say so in the log if the server dies while we use it. */
function watchForCrash(child: ChildProcess, name: string, log: (msg: string) => void): void {
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.once('exit', (code, signal) => {
    if (signal === 'SIGTERM' || signal === 'SIGKILL' || code === 0 || code === 143) return;
    log(`${name} stopped unexpectedly (code ${code}${signal ? `, signal ${signal}` : ''}): ${tail(output)}`);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves when the child prints a line matching `ready`; rejects with its last output if it exits or times out. */
function waitForLine(child: ChildProcess, ready: RegExp, timeoutMs: number, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
      if (ready.test(output)) finish();
    };
    const onExit = (code: number | null) => fail(new Error(`${name} exited (code ${code}) before it was ready: ${tail(output)}`));
    const onError = (err: Error) => fail(new Error(`${name} could not start: ${err.message}`));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${name} was not ready within ${timeoutMs} ms: ${tail(output)}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    const finish = () => {
      cleanup();
      // keep draining output so the child never blocks on a full pipe
      child.stdout?.resume();
      child.stderr?.resume();
      resolve();
    };
    const fail = (err: Error) => {
      cleanup();
      reject(err);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-5).join(' | ') || '(no output)';
}

/** Closes stdin (the launcher exits on it), then SIGTERM, then SIGKILL after 3 s. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.stdin?.end();
    setTimeout(() => {
      if (child.exitCode === null) child.kill('SIGTERM');
    }, 500).unref();
  });
}
