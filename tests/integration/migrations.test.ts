import { MongoJobLeases } from '@crm/api';
import { MIGRATIONS, migrationId, runMigrations, silentLogger, type Migration } from '@crm/server';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Migrations: versioned, recorded in `migrations`, run under one lease so that two processes starting together
 * apply each exactly once; a failed one is not recorded and runs again next time.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app.close());

const records = () => app.conn.collection<{ _id: string }>('migrations').find({}).toArray();

function counting(version: number, name: string, runs: Map<string, number>, fail = { times: 0 }): Migration {
  return {
    version,
    name,
    async up() {
      await new Promise((r) => setTimeout(r, 50));
      if (fail.times > 0) {
        fail.times--;
        throw new Error(`${name} failed`);
      }
      runs.set(name, (runs.get(name) ?? 0) + 1);
      return { ok: true };
    },
  };
}

const run = (holder: string, migrations: readonly Migration[]) =>
  runMigrations({
    connection: app.conn,
    leases: new MongoJobLeases(app.conn),
    holder,
    context: { services: app.services, logger: silentLogger() },
    logger: silentLogger(),
    migrations,
  });

it('a start (prepare) records the real migrations, once', async () => {
  const ids = (await records()).map((r) => r._id);
  expect(ids).toEqual(expect.arrayContaining(MIGRATIONS.map(migrationId)));
  expect(MIGRATIONS.map(migrationId)).toContain('001-customer-identity-claims');
  await app.system.prepare({ seed: false }); // a second start applies nothing again
  expect((await records()).filter((r) => r._id === '001-customer-identity-claims')).toHaveLength(1);
});

it('two processes migrating at once apply each migration exactly once, in version order', async () => {
  const runs = new Map<string, number>();
  const list = [counting(102, 'second', runs), counting(101, 'first', runs)];
  const [a, b, c] = await Promise.all([run('worker-a', list), run('worker-b', list), run('worker-c', list)]);
  expect([...a, ...b, ...c].sort()).toEqual(['101-first', '102-second']);
  expect(Object.fromEntries(runs)).toEqual({ first: 1, second: 1 });
  expect(await run('worker-d', list)).toEqual([]);
});

it('a migration that fails is not recorded, releases the lease, and runs again next time', async () => {
  const runs = new Map<string, number>();
  const list = [counting(201, 'flaky', runs, { times: 1 })];
  await expect(run('worker-a', list)).rejects.toThrow('flaky failed');
  expect((await records()).map((r) => r._id)).not.toContain('201-flaky');
  expect(await run('worker-b', list)).toEqual(['201-flaky']);
  expect(runs.get('flaky')).toBe(1);
});
