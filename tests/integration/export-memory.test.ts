import { PassThrough, Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Types } from 'mongoose';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * An export's memory does not grow with its size: 60,000 generated customers exported as xlsx and as CSV by
 * the admin (every row) into a client that takes everything; the heap in use stays within a fixed bound the
 * whole time (a workbook or a CSV built in memory would need several times that).
 */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** The test database (the stand-in, 512 MB of Java heap) holds 60,000 of them; `npm run bench -- export` runs 200,000 and more. */
const ROWS = 60_000;
const HEAP_BOUND_MB = 32;
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  const rep = (await t.services.org.findActiveUserByPlatformId('wecom', 'demo-rep1'))!;
  const at = new Date('2026-06-01T02:00:00Z');
  // lean customers (no search keys: the export does not read them), as many as the stand-in holds
  for (let from = 0; from < ROWS; from += 2_000) {
    const batch = Array.from({ length: Math.min(2_000, ROWS - from) }, (_, k) => ({
      _id: new Types.ObjectId(),
      name: `导出客户${from + k}`,
      company: `上海导出${from + k}信息科技有限公司`,
      industry: '制造',
      region: { province: '上海', city: '上海' },
      source: '官网',
      tier: 'B',
      tags: ['=SUM(A1)'],
      status: 'owned',
      ownerId: rep._id,
      departmentId: rep.departmentIds[0] ?? null,
      sharedWith: [],
      protectionEndsAt: at,
      lastFollowUpAt: at,
      nextFollowUpAt: null,
      createdAt: at,
      updatedAt: at,
    }));
    // the stand-in on a busy machine may drop a connection mid-batch: send it again (fixed ids, duplicates skipped)
    for (let attempt = 1; ; attempt++) {
      try {
        await t.conn.collection('customers').insertMany(batch, { ordered: false });
        break;
      } catch (err) {
        const writeErrors = (err as { writeErrors?: Array<{ code: number }> }).writeErrors ?? [];
        if (writeErrors.length && writeErrors.every((e) => e.code === 11000)) break;
        if (attempt >= 5) throw err;
      }
    }
  }
}, 900_000);
afterAll(() => t.close());

it.each(['xlsx', 'csv'] as const)(
  'a %s export of 60,000 rows stays within a fixed heap',
  async (format) => {
    const admin = (await t.services.org.findActiveUserByPlatformId('wecom', 'demo-admin'))!;
    const actor = { user: admin, viewer: await t.services.org.resolveViewer(admin) };
    let bytes = 0;
    const out = new PassThrough();
    out.pipe(
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          cb();
        },
      }),
    );
    // what the export holds, not garbage waiting for collection: a full collection before each sample
    const live = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const base = live();
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, live())), 2_000);
    try {
      const result = await t.services.exports.run(
        actor,
        { requestId: `memory-${format}`, channel: 'api', actorId: admin._id },
        { entity: 'customers', format, filters: {} },
        out,
      );
      expect(result).toMatchObject({ rows: ROWS, aborted: false });
    } finally {
      clearInterval(sampler);
    }
    const grewMb = (peak - base) / 1024 / 1024;
    process.stdout.write(`${format}: ${ROWS} rows, ${(bytes / 1024 / 1024).toFixed(1)} MB, heap peak +${grewMb.toFixed(1)} MB\n`);
    expect(bytes).toBeGreaterThan(ROWS * 20); // the whole file went out, none of it kept
    expect({ format, heapGrowthWithinBound: grewMb < HEAP_BOUND_MB }).toEqual({ format, heapGrowthWithinBound: true });
  },
  900_000,
);
