/**
 * The report roll-ups' nightly rebuild (REPORTS_REBUILD_AT): records written around the services' listeners (the
 * seed, a crash between a write and its listener) are missing from the reports until the rebuild; the
 * `report-rebuild` job rebuilds once a night after its time, by one of two workers on one database, and not again
 * that day. Off by default in tests, 02:30 elsewhere, `off` turns it off.
 */
import type { Server } from 'node:http';
import supertest from 'supertest';
import { loadConfig } from '@crm/config';
import { buildSystem, silentLogger, REPORT_REBUILD_JOB } from '@crm/server';
import { seedDemoData } from '@crm/api';
import { closeTestConnection, openTestConnection, TEST_DB_KIND } from '../helpers/test-db';
import type { Connection } from 'mongoose';

jest.setTimeout(120_000);

let conn: Connection;
afterAll(async () => {
  await closeTestConnection(conn);
});

it('REPORTS_REBUILD_AT: 02:30 by default, off in tests and when said, refused when not a time', () => {
  expect(loadConfig({ NODE_ENV: 'development' }).reportRollups.nightlyRebuildAt).toBe('02:30');
  expect(loadConfig({ NODE_ENV: 'test' }).reportRollups.nightlyRebuildAt).toBeNull();
  expect(loadConfig({ NODE_ENV: 'development', REPORTS_REBUILD_AT: 'off' }).reportRollups.nightlyRebuildAt).toBeNull();
  expect(loadConfig({ NODE_ENV: 'test', REPORTS_REBUILD_AT: '04:05' }).reportRollups.nightlyRebuildAt).toBe('04:05');
  expect(() => loadConfig({ NODE_ENV: 'test', REPORTS_REBUILD_AT: '24:00' })).toThrow(/REPORTS_REBUILD_AT/);
});

it('records written around the listeners reach the reports after the nightly rebuild, run once by one of two workers', async () => {
  conn = await openTestConnection();
  const config = loadConfig({ NODE_ENV: 'test', REPORTS_REBUILD_AT: '02:30' });
  let now = new Date('2026-11-30T18:00:00Z'); // 02:00 on 1 Dec in Asia/Shanghai: not yet time
  const make = () => buildSystem(config, { connection: conn, databaseKind: TEST_DB_KIND, logger: silentLogger(), now: () => now });
  const [a, b] = [make(), make()];
  await a.prepare({ seed: false });
  await seedDemoData(a.services, () => undefined, { crm: true }); // written around the listeners, as an import's raw insert would be
  const http = supertest(a.app.callback() as unknown as Server);
  const token = (await http.post('/api/v1/auth/dev-login').send({ login: 'demo-director' })).body.token as string;
  const dealsThisQuarter = async () => {
    const res = await http.get('/api/v1/reports/funnel?period=quarter').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    return res.body.total.count as number;
  };
  const rebuildJob = (s: ReturnType<typeof make>) => s.jobs.jobs.find((j) => j.name === REPORT_REBUILD_JOB)!;
  const gen = async () => (await a.services.reports.rollups.meta()).gen;

  expect(await dealsThisQuarter()).toBe(0);
  const before = await gen(); // the generation the first start's migration built
  await rebuildJob(a).run();
  expect(await gen()).toBe(before); // 02:00: not due yet

  now = new Date('2026-11-30T18:31:00Z'); // 02:31
  await Promise.all([rebuildJob(a).run(), rebuildJob(b).run()]);
  expect(await gen()).toBe(before + 1); // one rebuild, not two
  const counted = await dealsThisQuarter();
  expect(counted).toBeGreaterThan(0);
  expect(counted).toBe(await conn.collection('opportunities').countDocuments({ createdAt: { $gte: new Date('2026-09-30T16:00:00Z') } }));

  // the same night again, on either worker: nothing (the day is recorded done)
  now = new Date('2026-11-30T21:00:00Z');
  await Promise.all([rebuildJob(a).run(), rebuildJob(b).run()]);
  expect(await gen()).toBe(before + 1);

  // the next night: again
  now = new Date('2026-12-01T18:45:00Z');
  await rebuildJob(b).run();
  expect(await gen()).toBe(before + 2);
});
