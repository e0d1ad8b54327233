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
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import dns from 'node:dns/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { maskMongoUri, type Config } from '@crm/config';

export type EmbeddedDbKind = 'uri' | 'system-mongod' | 'memory-server' | 'mongo-java-server';

export interface ResolvedDatabase {
  kind: EmbeddedDbKind;
  /** Connection string including the database name (for 'uri': the given URI unchanged). */
  uri: string;
  /** One sentence for the start-up log; never contains a password. */
  description: string;
  /** The directory or file where the data lives, or null when it lives in memory (or on a server we did not start). */
  dataLocation: string | null;
  /** Stops whatever was started (a no-op for 'uri'). */
  stop(): Promise<void>;
  /** The process id of the database server we started and supervise (undefined for 'uri' and memory-server). */
  pid?(): number | undefined;
}

export interface ResolveOptions {
  /** Set: use it, start nothing. */
  mongodbUri?: string;
  /** true for npm start (data survives restarts), false for tests (in memory / a temporary directory). */
  persistent: boolean;
  /** Where persistent data goes (created if missing). */
  dataDir: string;
  /** Downloads: <cacheDir>/mongo-java-server/lib (jars), <cacheDir>/mongodb-binaries (mongodb-memory-server). */
  cacheDir: string;
  /** The database name put into the URI. */
  dbName: string;
  /** A mongod binary to use (MONGOMS_SYSTEM_BINARY). */
  systemBinary?: string;
  /** The PATH to search for mongod (the caller passes process.env.PATH). */
  pathEnv?: string;
  /** Progress lines for the start-up log. */
  log: (msg: string) => void;
  /**
   * Cap on mongodb-memory-server's attempt once its download host answers (a real first download is ~100 MB).
   * Without internet the step fails in milliseconds anyway: DNS and a TCP probe of the host come first.
   */
  memoryServerTimeoutMs?: number;
  /** Heap of the mongo-java-server JVM in MB (default 512); the stand-in keeps its working set in memory. */
  javaHeapMb?: number;
  /** Steps to leave out (tests of the chain itself). */
  skip?: EmbeddedDbKind[];
}

export interface ResolveAttempt {
  step: string;
  reason: string;
}

export class NoDatabaseError extends Error {
  constructor(readonly attempts: ResolveAttempt[]) {
    super(
      [
        'No database could be started. Tried, in order:',
        ...attempts.map((a, i) => `  ${i + 1}. ${a.step}: ${a.reason}`),
        'Fix one of these:',
        '  - set MONGODB_URI to a MongoDB 4.4+ server (e.g. mongodb://127.0.0.1:27017/crm);',
        '  - install mongod (on PATH, or point MONGOMS_SYSTEM_BINARY at it);',
        '  - install Java 17 and Maven (Debian: apt-get install openjdk-17-jre-headless maven) and run `npm run db:jars` for the offline stand-in.',
      ].join('\n'),
    );
    this.name = 'NoDatabaseError';
  }
}

/** Keep equal to <mongo-java-server.version> in scripts/mongo-java-server/pom.xml (a test checks). */
export const MONGO_JAVA_SERVER_VERSION = '1.47.0';
export const MONGO_JAVA_SERVER_DIR = path.resolve(__dirname, '..', '..', '..', 'scripts', 'mongo-java-server');

const READY_TIMEOUT_MS = { mongod: 30_000, java: 60_000 } as const;
const JAR_FETCH_TIMEOUT_MS = 11 * 60_000; // fetch-jars.mjs gives mvn 10 minutes
const MONGODB_DOWNLOAD_HOST = 'fastdl.mongodb.org';
// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const ANSI_COLOUR = /\x1b\[[0-9;]*m/g;

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

// ---- 2. a local mongod --------------------------------------------------------------------------

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(binary: string, pathEnv: string | undefined): string | null {
  const names = process.platform === 'win32' ? [`${binary}.exe`, binary] : [binary];
  for (const dir of (pathEnv ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return null;
}

/**
 * mongod cannot watch its parent, so it runs under this tiny Node watchdog: when our end of the watchdog's stdin
 * closes (we stopped it, or this process died however it died) it sends mongod SIGTERM, a clean shutdown.
 */
const MONGOD_WATCHDOG = `
const { spawn } = require('node:child_process');
const [bin, ...args] = process.argv.slice(1);
const child = spawn(bin, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const stop = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); };
process.stdin.on('end', stop).on('error', stop).resume();
process.on('SIGTERM', stop).on('SIGINT', stop);
child.on('error', (e) => { console.error('cannot run ' + bin + ': ' + e.message); process.exit(127); });
child.on('exit', (code, signal) => process.exit(code === null ? (signal === 'SIGTERM' ? 0 : 1) : code));
`;

async function startSystemMongod(opts: ResolveOptions): Promise<ResolvedDatabase> {
  let binary: string;
  if (opts.systemBinary) {
    if (!existsSync(opts.systemBinary)) throw new Error(`MONGOMS_SYSTEM_BINARY points at ${opts.systemBinary}, which does not exist`);
    if (!isExecutableFile(opts.systemBinary)) throw new Error(`MONGOMS_SYSTEM_BINARY points at ${opts.systemBinary}, which is not an executable file`);
    binary = opts.systemBinary;
  } else {
    const found = findOnPath('mongod', opts.pathEnv);
    if (!found) throw new Error('no mongod on PATH and MONGOMS_SYSTEM_BINARY is not set');
    binary = found;
  }
  let dbPath: string;
  if (opts.persistent) {
    dbPath = path.join(opts.dataDir, 'mongod');
    mkdirSync(dbPath, { recursive: true });
  } else {
    dbPath = mkdtempSync(path.join(os.tmpdir(), 'crm-mongod-'));
  }
  const removeTemp = () => {
    if (!opts.persistent) rmSync(dbPath, { recursive: true, force: true });
  };
  try {
    const command = (p: number): [string, string[]] => [
      process.execPath,
      ['-e', MONGOD_WATCHDOG, binary, '--dbpath', dbPath, '--port', String(p), '--bind_ip', '127.0.0.1'],
    ];
    const ready = (proc: ManagedProcess, p: number) => canConnect(p).then((ok) => ok && proc.running());
    const launched = await launchOnFreePort(command, ready, READY_TIMEOUT_MS.mongod, 'mongod');
    const { port } = launched;
    const proc = new SupervisedServer('mongod', launched.proc, () => launchOnPort(command, ready, port, READY_TIMEOUT_MS.mongod, 'mongod'), opts.log);
    return {
      kind: 'system-mongod',
      uri: `mongodb://127.0.0.1:${port}/${opts.dbName}`,
      description: `local mongod ${binary} on port ${port} (${opts.persistent ? `data in ${dbPath}` : `temporary data in ${dbPath}`})`,
      dataLocation: dbPath,
      stop: async () => {
        await proc.stop(15_000); // a clean mongod shutdown can take a few seconds
        removeTemp();
      },
      pid: () => proc.pid(),
    };
  } catch (err) {
    removeTemp();
    throw err;
  }
}

// ---- 3. mongodb-memory-server -------------------------------------------------------------------

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

async function startMemoryServer(opts: ResolveOptions): Promise<ResolvedDatabase> {
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

// ---- 4. mongo-java-server -----------------------------------------------------------------------

function jarsComplete(lib: string): boolean {
  if (!existsSync(lib)) return false;
  const files = new Set(readdirSync(lib));
  const needed = ['core', 'memory-backend', 'h2-backend'].map((a) => `mongo-java-server-${a}-${MONGO_JAVA_SERVER_VERSION}.jar`);
  return needed.every((f) => files.has(f)) && [...files].some((f) => /^h2-.*\.jar$/.test(f));
}

/** The jars, fetched with Maven through scripts/mongo-java-server/fetch-jars.mjs (npm run db:jars) when missing. */
async function ensureJars(opts: ResolveOptions): Promise<string> {
  const lib = path.join(opts.cacheDir, 'mongo-java-server', 'lib');
  if (jarsComplete(lib)) return lib;
  if (!(await commandWorks('java', ['-version']))) throw new Error('java is not installed (Java 17 or newer is needed)');
  opts.log(`mongo-java-server jars missing in ${lib}: fetching them with Maven (first start only)…`);
  const fetcher = spawn(process.execPath, [path.join(MONGO_JAVA_SERVER_DIR, 'fetch-jars.mjs'), opts.cacheDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const stdout = new OutputTail();
  const stderr = new OutputTail();
  fetcher.stdout.on('data', (chunk: Buffer) => {
    stdout.push(chunk);
    const text = chunk.toString('utf8').replace(ANSI_COLOUR, ''); // mvn colours even with -B
    for (const line of text.split('\n')) if (line.trim()) opts.log(line.trim());
  });
  fetcher.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const code = await new Promise<number | string>((resolve) => {
    const timer = setTimeout(() => fetcher.kill('SIGKILL'), JAR_FETCH_TIMEOUT_MS);
    fetcher.once('error', (err) => {
      clearTimeout(timer);
      resolve(err.message);
    });
    fetcher.once('close', (c, signal) => {
      clearTimeout(timer);
      resolve(c ?? signal ?? 'killed');
    });
  });
  if (code !== 0 || !jarsComplete(lib)) {
    const why = stderr.lastLines(3) !== '(no output)' ? stderr.lastLines(3) : stdout.lastLines(3);
    throw new Error(`the jars are not in ${lib} and fetching them failed (${code}): ${why}`);
  }
  return lib;
}

async function startMongoJavaServer(opts: ResolveOptions): Promise<ResolvedDatabase> {
  const lib = await ensureJars(opts);
  let store = 'memory';
  let dataFile: string | null = null;
  if (opts.persistent) {
    mkdirSync(opts.dataDir, { recursive: true });
    dataFile = path.join(opts.dataDir, 'crm.h2.mv.db');
    store = `h2:${dataFile}`;
  }
  const javaArgs = (port: number) => [
    `-Xmx${opts.javaHeapMb ?? 512}m`,
    '-XX:+UseSerialGC',
    // A small young generation: every collection stops the server, and with the default (a third of the
    // heap) a busy minute had 100 ms pauses that every request waiting on the database shared; at 32 MB
    // they are about 15 ms (measured with the wecom-callback benchmark).
    '-Xmn32m',
    '-cp',
    path.join(lib, '*'),
    path.join(MONGO_JAVA_SERVER_DIR, 'EmbeddedMongo.java'),
    store,
    String(port),
  ];
  let launched: { proc: ManagedProcess; port: number };
  const command = (port: number): [string, string[]] => ['java', javaArgs(port)];
  const ready = (proc: ManagedProcess) => /^READY \d+\s*$/m.test(proc.stdoutSoFar);
  try {
    launched = await launchOnFreePort(command, ready, READY_TIMEOUT_MS.java, 'mongo-java-server');
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/ENOENT/.test(message)) throw new Error('java is not installed (Java 17 or newer is needed)', { cause: err });
    if (/UnsupportedClassVersionError|release version/.test(message)) throw new Error(`Java 17 or newer is needed: ${message}`, { cause: err });
    if (dataFile && /locked/i.test(message))
      throw new Error(`${dataFile} is in use by another process (is the CRM already running?): ${message}`, { cause: err });
    throw err;
  }
  const { port } = launched;
  const proc = new SupervisedServer(
    'mongo-java-server',
    launched.proc,
    () => launchOnPort(command, ready, port, READY_TIMEOUT_MS.java, 'mongo-java-server'),
    opts.log,
  );
  return {
    kind: 'mongo-java-server',
    uri: `mongodb://127.0.0.1:${port}/${opts.dbName}`,
    description: `mongo-java-server ${MONGO_JAVA_SERVER_VERSION} on port ${port} (offline stand-in, not MongoDB; ${dataFile ? `H2 file ${dataFile}` : 'in memory'})`,
    dataLocation: dataFile,
    stop: () => proc.stop(3_000),
    pid: () => proc.pid(),
  };
}

// ---- processes ----------------------------------------------------------------------------------

/** The last few KB a child printed (stdout and stderr interleaved), for error messages. */
class OutputTail {
  private text = '';
  constructor(private readonly max = 8_000) {}
  push(chunk: Buffer): void {
    this.text = (this.text + chunk.toString('utf8')).slice(-this.max);
  }
  lastLines(n = 6): string {
    return (
      this.text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .slice(-n)
        .join(' | ') || '(no output)'
    );
  }
}

/**
 * A child we own: its stdin stays open as its lifeline (closing it asks it to stop), its output is drained into
 * a ring buffer, and it runs in its own process group so a terminal's Ctrl+C reaches only us: we close the
 * database connection first, then stop the server.
 */
class ManagedProcess {
  readonly child: ChildProcess;
  readonly output = new OutputTail();
  stdoutSoFar = '';
  private stopping = false;
  private readonly exited: Promise<void>;

  constructor(command: string, args: string[]) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: process.platform !== 'win32', windowsHide: true });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.once('error', () => resolve());
    });
    this.child.stdin?.on('error', () => undefined); // EPIPE when it is already gone
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.output.push(chunk);
      if (this.stdoutSoFar.length < 4_000) this.stdoutSoFar += chunk.toString('utf8');
    });
    this.child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk));
  }

  running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** True once stop() was called: an exit after that is expected. */
  get stopRequested(): boolean {
    return this.stopping;
  }

  /** Closes stdin (the child exits on EOF), then SIGTERM after 0.5 s, then SIGKILL after killAfterMs. */
  async stop(killAfterMs: number): Promise<void> {
    this.stopping = true;
    if (!this.running() || this.child.pid === undefined) return;
    const term = setTimeout(() => this.child.kill('SIGTERM'), 500);
    const kill = setTimeout(() => this.child.kill('SIGKILL'), killAfterMs);
    this.child.stdin?.end();
    await this.exited;
    clearTimeout(term);
    clearTimeout(kill);
  }
}

/**
 * The database server we started, kept running: if it exits without being asked to (killed, crashed, OOM), it is
 * started again on the same port and the same data, with a log line for the exit and one for the restart, retrying
 * with backoff (1 s, 2 s, 4 s … 30 s) while it does not come up. The driver reconnects by itself once the port
 * answers again, so the API recovers without a restart. (A frozen server is not restarted: it has not exited.)
 */
class SupervisedServer {
  private current: ManagedProcess;
  private stopped = false;

  constructor(
    private readonly name: string,
    first: ManagedProcess,
    private readonly relaunch: () => Promise<ManagedProcess>,
    private readonly log: (msg: string) => void,
  ) {
    this.current = first;
    this.watch(first);
  }

  pid(): number | undefined {
    return this.current.child.pid;
  }

  private watch(proc: ManagedProcess): void {
    proc.child.once('exit', (code, signal) => {
      if (proc.stopRequested || this.stopped) return;
      this.log(
        `${this.name} stopped unexpectedly (code ${code}${signal ? `, signal ${signal}` : ''}): ${proc.output.lastLines()}; restarting it on the same data`,
      );
      void this.restart();
    });
  }

  private async restart(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      const started = Date.now();
      try {
        const proc = await this.relaunch();
        if (this.stopped) return void (await proc.stop(3_000));
        this.current = proc;
        this.watch(proc);
        this.log(`${this.name} restarted (pid ${proc.child.pid}) in ${Date.now() - started} ms`);
        return;
      } catch (err) {
        const waitMs = Math.min(30_000, 1_000 * 2 ** (attempt - 1));
        this.log(
          `${this.name} could not be restarted (attempt ${attempt}: ${err instanceof Error ? err.message : String(err)}); retrying in ${waitMs / 1000} s`,
        );
        await new Promise((r) => setTimeout(r, waitMs).unref());
      }
    }
  }

  async stop(killAfterMs: number): Promise<void> {
    this.stopped = true;
    await this.current.stop(killAfterMs);
  }
}

/** Starts a server on the given port (a restart keeps the port the driver knows) and waits until it is ready. */
async function launchOnPort(
  command: (port: number) => [string, string[]],
  ready: (proc: ManagedProcess, port: number) => boolean | Promise<boolean>,
  port: number,
  timeoutMs: number,
  name: string,
): Promise<ManagedProcess> {
  const [cmd, args] = command(port);
  const proc = new ManagedProcess(cmd, args);
  try {
    await waitUntilReady(proc, port, ready, timeoutMs, name);
    return proc;
  } catch (err) {
    await proc.stop(1_000);
    throw err;
  }
}

/**
 * Starts a server on a free loopback port and waits until `ready` says so; rejects with the child's last output
 * if it exits first or takes longer than timeoutMs. Tries a second port if the first was taken in between.
 */
async function launchOnFreePort(
  command: (port: number) => [string, string[]],
  ready: (proc: ManagedProcess, port: number) => boolean | Promise<boolean>,
  timeoutMs: number,
  name: string,
): Promise<{ proc: ManagedProcess; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const [cmd, args] = command(port);
    const proc = new ManagedProcess(cmd, args);
    try {
      await waitUntilReady(proc, port, ready, timeoutMs, name);
      return { proc, port };
    } catch (err) {
      await proc.stop(1_000);
      const portTaken = err instanceof Error && /Address already in use|BindException|EADDRINUSE/i.test(err.message);
      if (!portTaken || attempt >= 2) throw err;
    }
  }
}

function waitUntilReady(
  proc: ManagedProcess,
  port: number,
  ready: (proc: ManagedProcess, port: number) => boolean | Promise<boolean>,
  timeoutMs: number,
  name: string,
): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      proc.child.off('exit', onExit);
      proc.child.off('error', onError);
      if (err) reject(err);
      else resolve();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      // let the last output arrive before quoting it
      setTimeout(() => finish(new Error(`${name} exited (${signal ?? `code ${code}`}) before it was ready: ${proc.output.lastLines()}`)), 50);
    const onError = (err: Error) => finish(new Error(`${name} could not be started: ${err.message}`));
    proc.child.once('exit', onExit);
    proc.child.once('error', onError);
    const poll = async () => {
      if (done) return;
      const ok = await Promise.resolve()
        .then(() => ready(proc, port))
        .catch(() => false);
      if (done) return;
      if (ok) return finish();
      if (Date.now() - started > timeoutMs) return finish(new Error(`${name} was not ready within ${timeoutMs / 1000} s: ${proc.output.lastLines()}`));
      setTimeout(() => void poll(), 100);
    };
    void poll();
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

function canConnect(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function commandWorks(command: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', windowsHide: true });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}
