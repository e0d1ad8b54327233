import jwt from 'jsonwebtoken';
import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('dev login', () => {
  it('returns a token and the user when DEV_LOGIN is on', async () => {
    const res = await t.http.post('/api/v1/auth/dev-login').send({ login: 'demo-rep1' });
    expect(res.status).toBe(200);
    expect(typeof res.body.token).toBe('string');
    expect(res.body.user).toMatchObject({ name: '刘洋', roles: ['rep'], dataScope: 'own', identities: { wecom: 'demo-rep1' } });
  });

  it('refuses an unknown login', async () => {
    const res = await t.http.post('/api/v1/auth/dev-login').send({ login: 'nobody' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('is not there when DEV_LOGIN is off', async () => {
    const off = await startTestApp({ DEV_LOGIN: 'off' });
    try {
      const res = await off.http.post('/api/v1/auth/dev-login').send({ login: 'demo-rep1' });
      expect(res.status).toBe(404);
      expect(res.body.token).toBeUndefined();
    } finally {
      await off.close();
    }
  });
});

describe('GET /api/v1/me', () => {
  it.each([
    ['demo-admin', ['admin'], 'all', ['org.read', 'org.write', 'audit.read', 'record.read', 'record.write', 'record.transfer', 'record.import']],
    ['demo-manager', ['manager'], 'department_and_children', ['org.read', 'record.read', 'record.write', 'record.transfer', 'record.import']],
    ['demo-rep1', ['rep'], 'own', ['org.read', 'record.read', 'record.write']],
    ['demo-partner', ['partner'], 'own', ['record.read']],
  ])('%s → roles %j, scope %s', async (login, roles, scope, permissions) => {
    const res = await t.http.get('/api/v1/me').set('Authorization', await t.login(login));
    expect(res.status).toBe(200);
    expect(res.body.roles).toEqual(roles);
    expect(res.body.scope.type).toBe(scope);
    expect(res.body.permissions).toEqual(permissions);
  });

  it.each([
    ['no header', undefined],
    ['not bearer', 'Basic abc'],
    ['garbage token', 'Bearer not.a.jwt'],
    ['wrong secret', `Bearer ${jwt.sign({}, 'x'.repeat(40), { subject: '0123456789abcdef01234567', expiresIn: 60 })}`],
    ['alg none', `Bearer ${jwt.sign({ sub: '0123456789abcdef01234567' }, '', { algorithm: 'none' })}`],
  ])('401 with %s', async (_name, header) => {
    const req = t.http.get('/api/v1/me');
    if (header) req.set('Authorization', header);
    const res = await req;
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('401 with an expired token, saying so', async () => {
    const id = String(t.seeded.org.users.get('demo-rep1'));
    const expired = jwt.sign({ exp: Math.floor(Date.now() / 1000) - 10 }, t.config.auth.jwtSecret, { subject: id });
    const res = await t.http.get('/api/v1/me').set('Authorization', `Bearer ${expired}`);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toContain('过期');
  });

  it('a deactivated user is locked out at once, even with a valid token', async () => {
    const other = await startTestApp();
    try {
      const token = await other.login('demo-rep2');
      const id = String(other.seeded.org.users.get('demo-rep2'));
      const off = await other.http.post(`/api/v1/users/${id}/deactivate`).set('Authorization', await other.login('demo-admin'));
      expect(off.status).toBe(200);
      const res = await other.http.get('/api/v1/me').set('Authorization', token);
      expect(res.status).toBe(401);
      const relogin = await other.http.post('/api/v1/auth/dev-login').send({ login: 'demo-rep2' });
      expect(relogin.status).toBe(401);
    } finally {
      await other.close();
    }
  });
});
