/**
 * Step 4 of the chain: mongo-java-server, the offline stand-in (Java 17 + jars from Maven Central, fetched with
 * Maven on first use): an H2 file under dataDir for `npm start`, memory for tests.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@crm/config';
import { commandWorks } from './net';
import { launchOnFreePort, launchOnPort, OutputTail, SupervisedServer, type ManagedProcess } from './supervisor';
import { READY_TIMEOUT_MS, type ResolvedDatabase, type ResolveOptions } from './types';

/** Keep equal to <mongo-java-server.version> in scripts/mongo-java-server/pom.xml (a test checks). */
export const MONGO_JAVA_SERVER_VERSION = '1.47.0';
export const MONGO_JAVA_SERVER_DIR = path.join(REPO_ROOT, 'scripts', 'mongo-java-server');

const JAR_FETCH_TIMEOUT_MS = 11 * 60_000; // fetch-jars.mjs gives mvn 10 minutes
// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const ANSI_COLOUR = /\x1b\[[0-9;]*m/g;

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

export async function startMongoJavaServer(opts: ResolveOptions): Promise<ResolvedDatabase> {
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
