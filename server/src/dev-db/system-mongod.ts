/** Step 2 of the chain: a local mongod (the configured binary, else `mongod` on PATH) on a free loopback port. */
import { accessSync, constants as fsConstants, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canConnect } from './net';
import { launchOnFreePort, launchOnPort, SupervisedServer, type ManagedProcess } from './supervisor';
import { READY_TIMEOUT_MS, type ResolvedDatabase, type ResolveOptions } from './types';

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

export async function startSystemMongod(opts: ResolveOptions): Promise<ResolvedDatabase> {
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
