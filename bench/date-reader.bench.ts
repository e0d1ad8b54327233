import { parseChineseDateTime } from '@crm/shared';
import { CORPUS } from '../shared/src/time/parse-chinese-datetime.corpus';

/**
 * The date reader alone (pure, no database): 10,000 rep sentences from the test table, each parsed against
 * its group's "now"; time per sentence, p50 / p99 / max. The router's budget is 50 ms per message.
 */
export async function run(log: (line: string) => void): Promise<void> {
  const items = CORPUS.flatMap((g) => g.cases.map(([text]) => ({ text, now: new Date(`${g.now}+08:00`) })));
  for (const it of items.slice(0, 200)) parseChineseDateTime(it.text, it.now, 'Asia/Shanghai'); // warm up
  const N = 10_000;
  const times: number[] = [];
  let found = 0;
  for (let i = 0; i < N; i++) {
    const it = items[i % items.length]!;
    const t0 = process.hrtime.bigint();
    if (parseChineseDateTime(it.text, it.now, 'Asia/Shanghai')) found += 1;
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(3);
  log(`${N} sentences (${items.length} distinct, ${found} with a date): p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${times.at(-1)!.toFixed(3)} ms per sentence`);
  log(`total ${times.reduce((s, x) => s + x, 0).toFixed(0)} ms`);
}
