/**
 * Production is safe by default: no start without a real JWT secret, no forged or endless tokens, no demo
 * company, and the development surfaces (dev login, the sandbox) only for callers on this machine.
 */
import { execFile } from 'node:child_process';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { ConfigError, DEV_JWT_SECRET, loadConfig, REPO_ROOT } from '@crm/config';
import { createApp } from '../../api/src/app';
import { isLoopbackAddress } from '../../api/src/middleware/loopback-only';
import { assertSeedAllowed } from '../../api/src/seed/seed';
import { startTestApp, type TestApp } from '../helpers/test-app';

const SECRET = 'a-production-secret-of-at-least-32-chars';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('NODE_ENV=production refuses to start without a real secret', () => {
  it.each([
    ['no JWT_SECRET, embedded database', {}, /^JWT_SECRET: required when NODE_ENV=production/],
    ['no JWT_SECRET, MONGODB_URI', { MONGODB_URI: 'mongodb://db:27017/crm' }, /^JWT_SECRET: required when NODE_ENV=production/],
    ['the development secret', { JWT_SECRET: DEV_JWT_SECRET }, /^JWT_SECRET: the development secret is published in the source/],
    ['a secret under 32 characters', { JWT_SECRET: 'short-secret' }, /^JWT_SECRET: must be at least 32 characters/],
    ['SEED_ON_EMPTY=true', { JWT_SECRET: SECRET, SEED_ON_EMPTY: 'true' }, /^SEED_ON_EMPTY: must be off when NODE_ENV=production/],
    ['DEV_LOGIN=true', { JWT_SECRET: SECRET, DEV_LOGIN: 'true' }, /^DEV_LOGIN: must be off/],
  ])('%s: exactly one problem line', (_label, env, line) => {
    const problems = problemsOf({ NODE_ENV: 'production', ...env });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(line);
  });

  it('with its own secret, production on the embedded database has dev login, sandbox and seeding off', () => {
    const c = loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET });
    expect({ devLogin: c.auth.devLogin, sandbox: c.sandbox, seed: c.database.seedOnEmpty, secret: c.auth.jwtSecret }).toEqual({
      devLogin: false,
      sandbox: false,
      seed: false,
      secret: SECRET,
    });
  });

  it('the server process exits 1 naming JWT_SECRET, before touching any database', async () => {
    // the child gets only what it needs: no JWT_SECRET, no MONGODB_URI
    const env = { PATH: process.env.PATH, HOME: os.tmpdir(), NODE_ENV: 'production', PORT: '1' }; // eslint-disable-line no-restricted-properties -- the child's environment
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
        ['server/src/main.ts'],
        { cwd: REPO_ROOT, env, timeout: 60_000 },
        (err, _out, errText) => resolve({ code: child.exitCode ?? (err ? 1 : 0), stderr: errText }),
      );
    });
    expect(code).toBe(1);
    const problemLines = stderr.split('\n').filter((l) => l.trim().startsWith('- '));
    expect(problemLines).toEqual([expect.stringContaining('JWT_SECRET: required when NODE_ENV=production')]);
  });

  it('the demo company is never seeded in production', () => {
    expect(() => assertSeedAllowed('production')).toThrow(/NODE_ENV=production/);
    expect(() => assertSeedAllowed('development')).not.toThrow();
  });
});

describe('tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ JWT_SECRET: SECRET });
  });
  afterAll(() => t.close());
  const admin = () => String(t.seeded.org.users.get('demo-admin'));

  it.each([
    ['forged with the development secret for the admin', () => jwt.sign({}, DEV_JWT_SECRET, { subject: admin(), expiresIn: 3600 })],
    ['signed with our secret but without exp', () => jwt.sign({}, SECRET, { subject: admin() })],
    ['signed with our secret, living a year', () => jwt.sign({}, SECRET, { subject: admin(), expiresIn: '365d' })],
    ['alg none', () => jwt.sign({}, '', { subject: admin(), algorithm: 'none', expiresIn: 3600 })],
  ])('%s: 401', async (_label, make) => {
    const res = await t.http.get('/api/v1/me').set('Authorization', `Bearer ${make()}`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('a token we issued is accepted', async () => {
    const res = await t.http.get('/api/v1/me').set('Authorization', await t.login('demo-admin'));
    expect(res.status).toBe(200);
  });
});

describe('dev login and the sandbox answer only on loopback unless allowed', () => {
  // A non-loopback address of this machine: a request to it arrives from that address, not 127.0.0.1.
  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

  it.each([
    ['127.0.0.1', true],
    ['127.5.6.7', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['192.0.2.2', false],
    ['::ffff:10.0.0.1', false],
    ['fd00::2', false],
    [undefined, false],
  ])('isLoopbackAddress(%s) = %s', (address, expected) => {
    expect(isLoopbackAddress(address)).toBe(expected);
  });

  async function serve(env: Record<string, string>): Promise<{ t: TestApp; port: number; server: Server }> {
    const t = await startTestApp(env);
    const app = createApp({
      config: t.config,
      logger: (await import('pino')).default({ level: 'silent' }),
      connection: t.conn,
      databaseKind: 'test',
      services: t.services,
      extraRouters: t.bot.routers,
    });
    const server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    return { t, port: (server.address() as AddressInfo).port, server };
  }

  async function call(host: string, port: number, method: string, p: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`http://${host}:${port}${p}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> | null };
  }

  (external ? it : it.skip)('by default: 404 from another machine (X-Forwarded-For does not help), 200 from loopback', async () => {
    const { t, port, server } = await serve({});
    try {
      const remote = [
        await call(external!, port, 'POST', '/api/v1/auth/dev-login', { login: 'demo-admin' }),
        await call(external!, port, 'POST', '/api/v1/auth/dev-login', { login: 'demo-admin' }, { 'X-Forwarded-For': '127.0.0.1' }),
        await call(external!, port, 'GET', '/sandbox/'),
        await call(external!, port, 'GET', '/sandbox/api/users'),
        await call(external!, port, 'POST', '/sandbox/api/messages', { user: 'demo-admin', text: '帮助' }),
      ];
      expect(remote.map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
      expect(remote[0]!.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
      const options = await call(external!, port, 'GET', '/api/v1/auth/options');
      expect(options.body).toMatchObject({ devLogin: false, demoUsers: [] });

      const local = [
        await call('127.0.0.1', port, 'POST', '/api/v1/auth/dev-login', { login: 'demo-admin' }),
        await call('127.0.0.1', port, 'GET', '/sandbox/api/users'),
      ];
      expect(local.map((r) => r.status)).toEqual([200, 200]);
      expect((await call('127.0.0.1', port, 'GET', '/api/v1/auth/options')).body).toMatchObject({ devLogin: true });
    } finally {
      await new Promise((r) => server.close(r));
      await t.close();
    }
  });

  (external ? it : it.skip)('DEV_LOGIN_REMOTE=true and SANDBOX_REMOTE=true open them to other machines', async () => {
    const { t, port, server } = await serve({ DEV_LOGIN_REMOTE: 'true', SANDBOX_REMOTE: 'true' });
    try {
      expect((await call(external!, port, 'POST', '/api/v1/auth/dev-login', { login: 'demo-admin' })).status).toBe(200);
      expect((await call(external!, port, 'GET', '/sandbox/api/users')).status).toBe(200);
    } finally {
      await new Promise((r) => server.close(r));
      await t.close();
    }
  });
});
