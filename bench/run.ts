/** `npm run bench`: runs every benchmark in order and prints its figures. `npm run bench -- <name>` runs one. */
import { run as approvalDecision } from './approval-decision.bench';
import { run as customerSearch } from './customer-search.bench';
import { run as dateReader } from './date-reader.bench';
import { run as exportBench } from './export.bench';
import { run as intentRouter } from './intent-router.bench';
import { run as importBench } from './import.bench';
import { run as miniappSize } from './miniapp-size.bench';
import { run as wecomCallback } from './wecom-callback.bench';
import { run as reminderFanout } from './reminder-fanout.bench';
import { run as reports } from './reports.bench';
import { run as pool } from './pool.bench';
import { run as handover } from './handover.bench';
import { run as directorySync } from './directory-sync.bench';

const BENCHES: Array<{ name: string; run: (log: (line: string) => void) => Promise<void> }> = [
  { name: 'customer-search', run: customerSearch },
  { name: 'wecom-callback', run: wecomCallback },
  { name: 'reminder-fanout', run: reminderFanout },
  { name: 'approval-decision', run: approvalDecision },
  { name: 'miniapp-size', run: miniappSize },
  { name: 'date-reader', run: dateReader },
  { name: 'export', run: exportBench },
  { name: 'intent-router', run: intentRouter },
  { name: 'reports', run: reports },
  { name: 'import', run: importBench },
  { name: 'pool', run: pool },
  { name: 'handover', run: handover },
  { name: 'directory-sync', run: directorySync },
];

async function main(): Promise<void> {
  const only = process.argv[2];
  const selected = BENCHES.filter((b) => !only || b.name === only);
  if (!selected.length) throw new Error(`no benchmark named ${only}; have: ${BENCHES.map((b) => b.name).join(', ')}`);
  console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
  for (const b of selected) {
    console.log(`\n## ${b.name}`);
    const started = Date.now();
    await b.run((line) => console.log(line));
    console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
