// Resolves the offline MongoDB stand-in's jars (mongo-java-server, see pom.xml) from Maven Central into
// <cacheDir>/mongo-java-server/lib. Plain Node, no dependencies; needs Maven (mvn) and Java.
//   npm run db:jars                                   (cacheDir: $CACHE_DIR, else <repo>/.cache)
//   node scripts/mongo-java-server/fetch-jars.mjs [cacheDir]
// The API runs this same script on first start when the jars are missing (server/src/dev-db/mongo-java-server.ts).
// Copies into a temporary folder first and renames it into place, so an interrupted run never leaves half a classpath.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const pom = path.join(here, 'pom.xml');
const version = /<mongo-java-server\.version>([^<]+)<\/mongo-java-server\.version>/.exec(readFileSync(pom, 'utf8'))?.[1];
if (!version) {
  console.error(`no <mongo-java-server.version> in ${pom}`);
  process.exit(1);
}
// Relative paths resolve against the repository root, as the config module does for CACHE_DIR.
const cacheDir = path.resolve(repoRoot, process.argv[2] ?? process.env.CACHE_DIR ?? '.cache');
const lib = path.join(cacheDir, 'mongo-java-server', 'lib');

/** The jars the launcher cannot run without, at the version the pom asks for (keep in step with server/src/dev-db/mongo-java-server.ts). */
function jarsComplete(dir) {
  if (!existsSync(dir)) return false;
  const files = new Set(readdirSync(dir));
  const needed = ['core', 'memory-backend', 'h2-backend'].map((a) => `mongo-java-server-${a}-${version}.jar`);
  return needed.every((f) => files.has(f)) && [...files].some((f) => /^h2-.*\.jar$/.test(f));
}

if (jarsComplete(lib)) {
  console.log(`mongo-java-server ${version} jars already in ${lib}`);
  process.exit(0);
}

console.log(`fetching mongo-java-server ${version} and its dependencies from Maven Central into ${lib} (Maven)…`);
const started = Date.now();
const partial = `${lib}.partial-${process.pid}`;
rmSync(partial, { recursive: true, force: true });
mkdirSync(path.dirname(lib), { recursive: true });
const mvn = spawnSync('mvn', ['-q', '-B', '-Dstyle.color=never', 'dependency:copy-dependencies', `-DoutputDirectory=${partial}`, '-f', pom], {
  stdio: ['ignore', 'inherit', 'inherit'],
  timeout: 10 * 60_000,
  shell: process.platform === 'win32', // mvn is mvn.cmd there
});
if (mvn.error || mvn.status !== 0 || !jarsComplete(partial)) {
  rmSync(partial, { recursive: true, force: true });
  const why = mvn.error?.code === 'ENOENT' ? 'Maven (mvn) is not installed' : (mvn.error?.message ?? `mvn exited with ${mvn.status ?? mvn.signal}`);
  console.error(`could not fetch the jars: ${why}. Install Java 17 and Maven (Debian: apt-get install openjdk-17-jre-headless maven), or set MONGODB_URI.`);
  process.exit(1);
}
rmSync(lib, { recursive: true, force: true });
renameSync(partial, lib);
console.log(`fetched ${readdirSync(lib).length} jars in ${((Date.now() - started) / 1000).toFixed(1)} s`);
