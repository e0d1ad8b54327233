/**
 * The deployment files (deploy/) say what the server actually reads and does: every variable compose sets is
 * one the configuration knows, every platform setting is offered, each role runs as what it says, and the
 * process managers wait longer than the server's own shutdown. `npm run lint:deploy` lints the same files.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '@crm/config';
import { envSchema } from '@crm/config/src/schema';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

type Service = { environment?: Record<string, string>; restart?: string; healthcheck?: unknown; depends_on?: Record<string, unknown> };
const compose = parse(read('deploy/compose.yaml'), { merge: true }) as { services: Record<string, Service> };
const service = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`deploy/compose.yaml has no service ${name}`);
  return s;
};
/** What the configuration reads, and what node itself reads (the heap cap). */
const known = new Set([...Object.keys(envSchema.shape), 'NODE_OPTIONS']);
const HEAP_CAP = /--max-old-space-size=\d+/;
const shutdownDefaultMs = loadConfig({}).process.shutdownTimeoutMs;

describe('deploy/compose.yaml', () => {
  it.each([
    ['web', 'web'],
    ['worker', 'worker'],
  ])('%s runs PROCESS_ROLE=%s in production on the replica set, restarts, waits for rs.initiate', (name, role) => {
    const s = service(name);
    expect(s.environment?.PROCESS_ROLE).toBe(role);
    expect(s.environment?.NODE_ENV).toBe('production');
    expect(s.environment?.MONGODB_URI).toBe('mongodb://mongo1:27017,mongo2:27017,mongo3:27017/crm?replicaSet=rs0');
    expect(s.restart).toBe('unless-stopped');
    expect(s.depends_on).toEqual({ 'mongo-init': { condition: 'service_completed_successfully' } });
    const unknown = Object.keys(s.environment ?? {}).filter((k) => !known.has(k));
    expect(unknown).toEqual([]);
    // a heap cap (an import stays under 400 MB RSS only with one), configurable from deploy/.env
    expect(s.environment?.NODE_OPTIONS).toBe('${NODE_OPTIONS:---max-old-space-size=256}');
  });

  it('offers every WeCom / DingTalk app setting and requires JWT_SECRET and PUBLIC_BASE_URL', () => {
    const env = service('web').environment ?? {};
    const platform = [...known].filter((k) => /^(WECOM|DINGTALK)_/.test(k) && !/_API_BASE$|_OAPI_BASE$|_LOGIN_BASE$|_WINDOW_SECONDS$/.test(k));
    expect(platform.filter((k) => !(k in env))).toEqual([]);
    expect(env.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?/);
    expect(env.PUBLIC_BASE_URL).toMatch(/^\$\{PUBLIC_BASE_URL:\?/);
  });

  it.each(['mongo1', 'mongo2', 'mongo3'])('%s is a member of rs0 with a healthcheck and its own volume', (name) => {
    const s = service(name) as Service & { command: string[]; volumes: string[] };
    expect(s.command).toEqual(['mongod', '--replSet', 'rs0', '--bind_ip_all']);
    expect(s.healthcheck).toBeDefined();
    expect(s.volumes).toEqual([`${name}:/data/db`]);
    expect(JSON.stringify(compose.services['mongo-init'])).toContain(`host: '${name}:27017'`);
  });
});

describe('deploy/Dockerfile runtime stage', () => {
  const dockerfile = read('deploy/Dockerfile').replace(/\\\n\s*/g, ' ');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  it.each([
    ['runs as a non-root user', /^USER (?!0\b|root\b)\S+/m],
    ['sets production', /^ENV .*NODE_ENV=production/m],
    ['caps the heap, configurable at build time', /^ARG NODE_HEAP_MB=\d+$[\s\S]*^ENV .*NODE_OPTIONS=--max-old-space-size=\$\{NODE_HEAP_MB\}/m],
    ['installs production dependencies only', /^RUN npm ci --omit=dev/m],
    ['probes /healthz', /^HEALTHCHECK .*\/healthz/m],
    ['exposes the port it listens on', /^EXPOSE 3000$/m],
    ['ships the H5 mini-app built in the build stage', /^COPY --from=build \S+miniapp\/dist\/h5 miniapp\/dist\/h5$/m],
    ['starts node itself (no npm or shell to swallow SIGTERM)', /^CMD \["node", "--import", "tsx", "server\/src\/main\.ts"\]$/m],
  ])('%s', (_what, line) => {
    expect(runtime).toMatch(line);
  });

  it('can load tsx at run time: it is a production dependency', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies?: Record<string, string> };
    expect(pkg.dependencies?.tsx).toBeDefined();
  });
});

describe('systemd units', () => {
  it.each([
    ['deploy/crm.service', 'web'],
    ['deploy/crm-worker.service', 'worker'],
  ])('%s: role %s, non-root, env file, restart on failure, stops after the shutdown timeout', (file, role) => {
    const unit = read(file);
    const value = (key: string) => [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]);
    expect(value('Environment')).toContain(`PROCESS_ROLE=${role}`);
    expect(value('User')).toEqual(['crm']);
    expect(value('EnvironmentFile')).toEqual(['/etc/chat-crm/crm.env']);
    expect(value('Restart')).toEqual(['on-failure']);
    expect(value('KillSignal')).toEqual(['SIGTERM']);
    expect(Number(value('TimeoutStopSec')[0]) * 1000).toBeGreaterThan(shutdownDefaultMs);
    expect(value('ExecStart')).toEqual(['/usr/bin/node --import tsx server/src/main.ts']);
    expect(value('Environment').filter((v) => v!.startsWith('NODE_OPTIONS='))).toEqual([expect.stringMatching(HEAP_CAP)]);
  });
});
