import { IntentRouter } from '../bot/src/intents/intent';
import { CORPUS } from '../shared/src/time/parse-chinese-datetime.corpus';

/** What reps and managers type besides dates: commands, chatter, corrections, reports, names. */
const CHAT = [
  '我的提醒',
  '今天有什么',
  '待审批',
  '我发起的',
  '业绩',
  '团队情况',
  '帮助',
  '撤销',
  '好的',
  '收到',
  '谢谢',
  '不对，是侯军的',
  '张三的商机',
  '杭州云帆的合同',
  '张三',
  'zs',
  '便宜一点',
  '能便宜点吗',
  '拜访了张三，演示了新版，下周二下午再联系',
  '记录 张三 拜访了客户 下周再联系',
  '今天给李总打了电话，他说考虑一下',
];

/**
 * The intent router alone (pure, no database): 10,000 messages (the chat lines above and the date reader's
 * sentence table), time per message, p50 / p99 / max. Budget: p99 < 5 ms (the whole answer < 50 ms).
 */
export async function run(log: (line: string) => void): Promise<void> {
  const router = new IntentRouter();
  const items = [
    ...CHAT.map((text) => ({ text, now: new Date('2026-11-23T10:00:00+08:00') })),
    ...CORPUS.flatMap((g) => g.cases.map(([text]) => ({ text, now: new Date(`${g.now}+08:00`) }))),
  ];
  for (const it of items.slice(0, 300)) router.route(it.text, it.now, 'Asia/Shanghai'); // warm up
  const N = 10_000;
  const times: number[] = [];
  const kinds = new Map<string, number>();
  for (let i = 0; i < N; i++) {
    const it = items[(i * 7919) % items.length]!;
    const t0 = process.hrtime.bigint();
    const intent = router.route(it.text, it.now, 'Asia/Shanghai');
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    kinds.set(intent.kind, (kinds.get(intent.kind) ?? 0) + 1);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
  log(`${N} messages (${items.length} distinct): p50 ${q(0.5).toFixed(3)} ms, p99 ${q(0.99).toFixed(3)} ms, max ${times.at(-1)!.toFixed(3)} ms per message`);
  log(`intents: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  log(q(0.99) < 5 ? 'p99 within the 5 ms budget' : `p99 OVER the 5 ms budget`);
  if (q(0.99) >= 5) process.exitCode = 1;
}
