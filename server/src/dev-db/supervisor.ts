/**
 * The process supervisor behind the launchers: a child we own (stdin as its lifeline, output kept), a server
 * restarted on the same port when it exits unasked, and starting on a free port until ready.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './net';

/** The last few KB a child printed (stdout and stderr interleaved), for error messages. */
export class OutputTail {
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
export class ManagedProcess {
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
export class SupervisedServer {
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
export async function launchOnPort(
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
export async function launchOnFreePort(
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

export function waitUntilReady(
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
