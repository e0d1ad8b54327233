// Resolves the offline MongoDB stand-in's jars from Maven Central into <cache>/mongo-java-server/lib.
// Usage: node scripts/mongo-java-server/fetch-jars.mjs [cacheDir]   (npm run db:jars)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const cacheDir = path.resolve(process.argv[2] ?? process.env.CACHE_DIR ?? path.join(here, '..', '..', '.cache'));
const lib = path.join(cacheDir, 'mongo-java-server', 'lib');

export function jarsPresent(dir = lib) {
  return existsSync(dir) && readdirSync(dir).some((f) => /^mongo-java-server-h2-backend-.*\.jar$/.test(f));
}

if (jarsPresent()) {
  console.log(`mongo-java-server jars already in ${lib}`);
} else {
  console.log(`resolving mongo-java-server jars from Maven Central into ${lib} ...`);
  const r = spawnSync('mvn', ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`, '-f', path.join(here, 'pom.xml')], { stdio: 'inherit' });
  if (r.error || r.status !== 0) {
    console.error(`could not resolve the jars (${r.error?.message ?? `mvn exited ${r.status}`}); install Maven and Java 17, or set MONGODB_URI`);
    process.exit(1);
  }
  console.log(`done: ${readdirSync(lib).length} jars`);
}
