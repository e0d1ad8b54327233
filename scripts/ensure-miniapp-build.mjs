// `npm start` (prestart) and `npm test` (pretest) run this first: builds the H5 mini-app once when miniapp/dist/h5 is missing, so
// http://localhost:3000/app shows it, and the web workbench once when web/dist is missing (http://localhost:3000/console).
// A failed build does not stop the server: /app and /console then explain how to build.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const index = path.join(root, 'miniapp', 'dist', 'h5', 'index.html');
const webIndex = path.join(root, 'web', 'dist', 'index.html');

if (!existsSync(webIndex) && !process.env.SKIP_WEB_BUILD) {
  console.log('web/dist is missing: building the web workbench for /console (about 30 s; once) …');
  const startedWeb = Date.now();
  const web = spawnSync('npm', ['run', 'build', '-w', 'web'], { cwd: root, stdio: 'inherit' });
  if (web.status === 0) console.log(`web workbench built in ${Math.round((Date.now() - startedWeb) / 1000)} s: http://localhost:3000/console`);
  else console.warn('web build failed: the server starts anyway; /console says how to build it (npm run build:web).');
}

if (existsSync(index) || process.env.SKIP_MINIAPP_BUILD) process.exit(0);

console.log('miniapp/dist/h5 is missing: building the H5 mini-app for /app (about 30 s; once) …');
const started = Date.now();
const res = spawnSync('npm', ['run', 'build:h5', '-w', 'miniapp'], { cwd: root, stdio: 'inherit' });
if (res.status === 0) console.log(`H5 mini-app built in ${Math.round((Date.now() - started) / 1000)} s: http://localhost:3000/app`);
else console.warn('H5 build failed: the server starts anyway; /app says how to build it (npm run build:miniapp).');
