import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from '@crm/config';

/**
 * Mini-app package sizes from the existing builds (`npm run build:miniapp` first): the weapp / qywx / dd
 * packages (every file but source maps and licence notes, as uploaded; the WeChat main-package limit is
 * 2 MB, ours is 1.5 MB) and the H5 JavaScript, raw and gzipped.
 */
const DIST = path.join(REPO_ROOT, 'miniapp', 'dist');
export const MAIN_PACKAGE_LIMIT = 1.5 * 1024 * 1024;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const shipped = (f: string) => !f.endsWith('.map') && !f.endsWith('.LICENSE.txt');
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

export async function run(log: (line: string) => void): Promise<void> {
  for (const target of ['weapp', 'qywx', 'dd']) {
    const dir = path.join(DIST, target);
    if (!existsSync(dir)) {
      log(`${target}: not built (npm run build:miniapp)`);
      continue;
    }
    const all = files(dir).filter(shipped);
    const total = all.reduce((s, f) => s + statSync(f).size, 0);
    log(`${target}: ${kb(total)} in ${all.length} files (main package; limit ${kb(MAIN_PACKAGE_LIMIT)}: ${total < MAIN_PACKAGE_LIMIT ? 'ok' : 'OVER'})`);
  }
  const h5 = path.join(DIST, 'h5');
  if (!existsSync(h5)) {
    log('h5: not built (npm run build:miniapp)');
    return;
  }
  const js = files(h5).filter((f) => f.endsWith('.js'));
  const raw = js.reduce((s, f) => s + statSync(f).size, 0);
  const gz = js.reduce((s, f) => s + gzipSync(readFileSync(f), { level: 9 }).length, 0);
  log(`h5 JavaScript: ${kb(raw)} raw, ${kb(gz)} gzipped, in ${js.length} files`);
}
