import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { MONGO_JAVA_SERVER_DIR } from '../../server/src/dev-db';

/** Child processes for the crash and process-role tests: the real server and the stand-in database. */
export const ROOT = path.resolve(__dirname, '..', '..');
const LIB = path.join(ROOT, '.cache', 'mongo-java-server', 'lib');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A port free on loopback right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A child process with its recent output; `kill9` is a crash (no shutdown hook runs). */
export class Child {
  readonly proc: ChildProcess;
  out = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  constructor(cmd: string, args: string[], env?: NodeJS.ProcessEnv) {
    this.proc = spawn(cmd, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const keep = (b: Buffer) => void (this.out = (this.out + b.toString('utf8')).slice(-20_000));
    this.proc.stdout!.on('data', keep);
    this.proc.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => resolve({ code, signal })));
  }
  async waitFor(test: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.proc.exitCode !== null) throw new Error(`${what}: the process exited (${this.proc.exitCode}): ${this.out.slice(-2000)}`);
      if (await test()) return;
      await sleep(200);
    }
    throw new Error(`${what}: not within ${timeoutMs} ms: ${this.out.slice(-2000)}`);
  }
  async kill9(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGKILL');
    await this.exited;
  }
}

/** The stand-in database (`memory`, or `h2:<file>` whose data survives a kill) on `port`, once it is ready. */
export async function startStandIn(store: string, port: number): Promise<Child> {
  const db = new Child('java', [
    '-Xmx256m',
    '-XX:+UseSerialGC',
    '-Xmn32m',
    '-cp',
    path.join(LIB, '*'),
    path.join(MONGO_JAVA_SERVER_DIR, 'EmbeddedMongo.java'),
    store,
    String(port),
  ]);
  await db.waitFor(() => /^READY \d+/m.test(db.out), 'the database');
  return db;
}

/** Dev-login as a demo user against a running server (a child process): JSON headers with its bearer token. */
export async function signedInHeaders(base: string, login: string): Promise<Record<string, string>> {
  const res = await fetch(`${base}/api/v1/auth/dev-login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login }),
  });
  if (res.status !== 200) throw new Error(`dev-login ${login}: ${res.status}`);
  return { 'content-type': 'application/json', authorization: `Bearer ${((await res.json()) as { token: string }).token}` };
}

/** A customer (name = company core = contact) created through a running server's API; answers its id. */
export async function createCustomerVia(base: string, headers: Record<string, string>, name: string, phone: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/customers`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name, company: `${name}有限公司`, source: '官网', contacts: [{ name, phones: [phone] }] }),
  });
  if (res.status !== 201) throw new Error(`create customer ${name}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}
