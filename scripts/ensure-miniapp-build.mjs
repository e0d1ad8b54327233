// `npm start` (prestart) and `npm test` (pretest) run this first: builds the H5 mini-app once when miniapp/dist/h5 is missing, so
// http://localhost:3000/app shows it. A failed build does not stop the server: /app then explains how to build.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const index = path.join(root, 'miniapp', 'dist', 'h5', 'index.html');
if (existsSync(index) || process.env.SKIP_MINIAPP_BUILD) process.exit(0);

console.log('miniapp/dist/h5 is missing: building the H5 mini-app for /app (about 30 s; once) …');
const started = Date.now();
const res = spawnSync('npm', ['run', 'build:h5', '-w', 'miniapp'], { cwd: root, stdio: 'inherit' });
if (res.status === 0) console.log(`H5 mini-app built in ${Math.round((Date.now() - started) / 1000)} s: http://localhost:3000/app`);
else console.warn('H5 build failed: the server starts anyway; /app says how to build it (npm run build:miniapp).');
