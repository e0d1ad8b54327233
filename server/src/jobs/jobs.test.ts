import pino from 'pino';
import { loadConfig } from '@crm/config';
import type { JobLeasePort } from '@crm/api';
import { createJobRunner, JobRunner, type JobPorts } from '.';

/** Leases in memory: one holder per job at a time (what `job_leases` does with conditional updates). */
class MemoryLeases implements JobLeasePort {
  readonly holders = new Map<string, string>();
  async acquire(job: string, holder: string): Promise<boolean> {
    const h = this.holders.get(job);
    if (h && h !== holder) return false;
    this.holders.set(job, holder);
    return true;
  }
  async release(job: string, holder: string): Promise<void> {
    if (this.holders.get(job) === holder) this.holders.delete(job);
  }
  async isDone(): Promise<boolean> {
    return false;
  }
  async markDone(): Promise<void> {}
}

const config = loadConfig({ NODE_ENV: 'test' }); // tick 5 s, policies every 15 min, approval sweep every 60 s

function system(opts: { failing?: string; passWait?: () => number } = {}) {
  const calls: string[] = [];
  const logs: Array<{ level: number; msg: string; job?: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const call = (name: string, value?: () => unknown) => async () => {
    calls.push(name);
    if (opts.failing === name) throw new Error(`${name} broke`);
    return value?.();
  };
  const ports: JobPorts = {
    config,
    logger,
    reminders: {
      pass: call('reminder-pass', opts.passWait ?? (() => config.reminders.scheduler.tickMs)) as () => Promise<number>,
      policiesOnce: call('reminder-policies'),
    },
    approvals: { sweep: call('approval-sweep', () => ({ failed: 0 })) as () => Promise<{ failed: number }> },
    chat: { recoverPending: call('chat-event-recovery') },
    records: [{ recoverPending: call('customers') }, { recoverPending: call('follow-ups') }],
    reportPush: { runDue: call('report-push') },
    reportRebuild: { runDue: call('report-rebuild') },
    backups: { runDue: call('backup') },
    imports: { work: call('import', () => false) as () => Promise<boolean> },
    pools: { run: call('pool-reclaim', () => ({ reclaimed: 0, warned: 0, failed: 0 })) as JobPorts['pools']['run'], everyMs: 10 * 60_000 },
    assignments: { sweep: call('assignment-return', () => ({ returned: 0 })) as () => Promise<{ returned: number }> },
    handovers: { runDue: call('handover', () => 0) as () => Promise<number> },
    webhooks: { dispatch: call('webhook-dispatch', () => 0) as () => Promise<number>, send: call('webhook-send', () => 0) as () => Promise<number> },
  };
  const leases = new MemoryLeases();
  const runner = createJobRunner({ ...ports, leases, workerId: 'w1' });
  return { runner, calls, logs, leases, ports };
}

const count = (calls: string[], name: string) => calls.filter((c) => c === name).length;

beforeEach(() => jest.useFakeTimers({ now: new Date('2026-11-23T01:00:00Z') }));
afterEach(() => jest.useRealTimers());

describe('the job runner: every job of the server, started from one place', () => {
  it('names every job with its interval', () => {
    const { runner } = system();
    expect(runner.jobs.map((j) => [j.name, j.everyMs, j.atStart !== false, j.leaseMs !== undefined])).toEqual([
      ['chat-event-recovery', 60_000, true, false],
      ['pending-record-recovery', 60_000, true, false],
      ['backup', 5 * 60_000, true, false], // the body takes its lease (runOnceADay)
      ['reminder-pass', 5_000, true, false],
      ['reminder-policies', 15 * 60_000, true, false],
      ['report-push', 5 * 60_000, true, true],
      ['report-rebuild', 5 * 60_000, false, false], // not at start: a rebuild never competes with a start-up
      ['approval-sweep', 60_000, false, true],
      ['import', 1_000, true, false],
      ['pool-reclaim', 10 * 60_000, true, true],
      ['assignment-return', 5 * 60_000, true, true],
      ['handover', 15_000, true, false],
      ['webhook-dispatch', 5_000, true, true],
      ['webhook-send', 5_000, true, true],
    ]);
  });

  it('holds the approval sweep under the configured job lease (JOB_LEASE_MS)', () => {
    const short = loadConfig({ NODE_ENV: 'test', JOB_LEASE_MS: '2000' });
    const sweepLease = (c: typeof config) =>
      createJobRunner({ ...system().ports, config: c, leases: new MemoryLeases() }).jobs.find((j) => j.name === 'approval-sweep')?.leaseMs;
    expect(sweepLease(config)).toBe(5 * 60_000);
    expect(sweepLease(short)).toBe(2000);
  });

  it('runs each at start (the sweep after one interval), then every interval', async () => {
    const { runner, calls } = system();
    runner.start();
    await jest.advanceTimersByTimeAsync(1);
    // every job at start but the approval sweep and the nightly rebuild
    expect([...calls].sort()).toEqual([
      'assignment-return',
      'backup',
      'chat-event-recovery',
      'customers',
      'follow-ups',
      'handover',
      'import',
      'pool-reclaim',
      'reminder-pass',
      'reminder-policies',
      'report-push',
      'webhook-dispatch',
      'webhook-send',
    ]);
    await jest.advanceTimersByTimeAsync(60_000);
    const table: Array<[string, number]> = [
      ['reminder-pass', 1 + 12], // 5 s
      ['chat-event-recovery', 2], // 1 min
      ['customers', 2],
      ['follow-ups', 2],
      ['reminder-policies', 1], // 15 min
      ['approval-sweep', 1], // 1 min, not at start
    ];
    for (const [name, n] of table) expect({ name, runs: count(calls, name) }).toEqual({ name, runs: n });
    await jest.advanceTimersByTimeAsync(15 * 60_000);
    expect(count(calls, 'reminder-policies')).toBe(2);
    expect(count(calls, 'approval-sweep')).toBe(16);
    await runner.stop();
    const after = calls.length;
    await jest.advanceTimersByTimeAsync(10 * 60_000);
    expect(calls.length).toBe(after);
  });

  it('a job that fails is logged with its name and runs again next round; the others go on', async () => {
    const { runner, calls, logs } = system({ failing: 'chat-event-recovery' });
    runner.start();
    await jest.advanceTimersByTimeAsync(2 * 60_000 + 1);
    const errors = logs.filter((l) => l.level === 50);
    expect(errors.map((l) => [l.job, l.msg])).toEqual([
      ['chat-event-recovery', 'chat-event-recovery failed'],
      ['chat-event-recovery', 'chat-event-recovery failed'],
      ['chat-event-recovery', 'chat-event-recovery failed'],
    ]);
    expect(count(calls, 'chat-event-recovery')).toBe(3);
    expect(count(calls, 'reminder-pass')).toBe(1 + 24);
    expect(count(calls, 'approval-sweep')).toBe(2);
    await runner.stop();
  });

  it('a job with a lease skips the round while another process holds it', async () => {
    const { runner, calls, leases } = system();
    leases.holders.set('approval-sweep', 'another-process');
    runner.start();
    await jest.advanceTimersByTimeAsync(2 * 60_000);
    expect(count(calls, 'approval-sweep')).toBe(0);
    leases.holders.delete('approval-sweep');
    await jest.advanceTimersByTimeAsync(60_000);
    expect(count(calls, 'approval-sweep')).toBe(1);
    expect(leases.holders.has('approval-sweep')).toBe(false); // released after the run
    await runner.stop();
  });

  it('the reminder pass sets its own next wait (its back-off while the database is away)', async () => {
    let wait = 40_000;
    const { runner, calls } = system({ passWait: () => wait });
    runner.start();
    await jest.advanceTimersByTimeAsync(39_999);
    expect(count(calls, 'reminder-pass')).toBe(1);
    wait = 5_000;
    await jest.advanceTimersByTimeAsync(1); // 40 s after the first
    expect(count(calls, 'reminder-pass')).toBe(2);
    await jest.advanceTimersByTimeAsync(5_000); // then 5 s again
    expect(count(calls, 'reminder-pass')).toBe(3);
    await runner.stop();
  });

  it('a shutdown that cannot wait gives back the leases of runs in progress (and only those)', async () => {
    const leases = new MemoryLeases();
    let finish!: () => void;
    const slow = { name: 'slow', everyMs: 60_000, leaseMs: 300_000, run: () => new Promise<void>((r) => (finish = r)) };
    const runner = new JobRunner([slow], { logger: pino({ level: 'silent' }), leases, workerId: 'w1' });
    leases.holders.set('someone-else', 'w2');
    const run = runner.runOnce(slow);
    await Promise.resolve();
    await Promise.resolve();
    expect(leases.holders.get('slow')).toBe('w1');
    await runner.releaseLeases();
    expect(leases.holders.has('slow')).toBe(false);
    expect(leases.holders.get('someone-else')).toBe('w2');
    finish();
    await run;
  });
});
