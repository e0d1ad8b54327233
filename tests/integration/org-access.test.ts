import { startTestApp, type TestApp } from '../helpers/test-app';
import type { User } from '../../api/src/modules/org/user.model';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const id = (login: string) => String(t.seeded.org.users.get(login));
const dep = (key: string) => String(t.seeded.org.departments.get(key));
const ALL = ['demo-admin', 'demo-gm', 'demo-director', 'demo-manager', 'demo-rep1', 'demo-rep2', 'demo-rep3', 'demo-finance', 'demo-legal', 'demo-partner'];

async function visibleLogins(login: string): Promise<string[]> {
  const res = await t.http.get('/api/v1/users?limit=100').set('Authorization', await t.login(login));
  expect(res.status).toBe(200);
  return (res.body.items as Array<{ identities: { wecom: string } }>).map((u) => u.identities.wecom).sort();
}

describe('who sees which users (data scopes over the real database)', () => {
  it.each([
    ['demo-admin', ALL],
    ['demo-gm', ALL],
    ['demo-finance', ALL],
    ['demo-director', ['demo-director', 'demo-manager', 'demo-rep1', 'demo-rep2', 'demo-rep3']],
    ['demo-manager', ['demo-manager', 'demo-rep1', 'demo-rep2']],
    ['demo-rep1', ['demo-rep1']],
    ['demo-rep3', ['demo-rep3']],
  ])('%s', async (login, expected) => {
    expect(await visibleLogins(login)).toEqual([...expected].sort());
  });

  it.each([
    ['demo-rep1', 'demo-rep2', 404],
    ['demo-rep1', 'demo-manager', 404],
    ['demo-rep1', 'demo-rep1', 200],
    ['demo-manager', 'demo-rep3', 404],
    ['demo-manager', 'demo-rep2', 200],
    ['demo-director', 'demo-rep3', 200],
    ['demo-director', 'demo-finance', 404],
    ['demo-partner', 'demo-partner', 403],
  ])('%s GET /users/%s → %i (out of scope is 404, so existence does not leak)', async (viewer, target, status) => {
    const res = await t.http.get(`/api/v1/users/${id(target)}`).set('Authorization', await t.login(viewer));
    expect(res.status).toBe(status);
  });

  it.each([
    ['demo-admin', ['hq', 'gmo', 'sales', 'east', 'south', 'finance', 'legal', 'it', 'partners']],
    ['demo-director', ['sales', 'east', 'south']],
    ['demo-manager', ['east']],
    ['demo-rep3', ['south']],
  ])('%s sees departments %j', async (login, keys) => {
    const res = await t.http.get('/api/v1/departments').set('Authorization', await t.login(login));
    expect(res.status).toBe(200);
    expect((res.body.items as Array<{ id: string }>).map((d) => d.id).sort()).toEqual(keys.map(dep).sort());
  });
});

describe('permission matrix', () => {
  let n = 0;
  const requests: Record<string, () => { method: 'get' | 'post' | 'patch'; url: string; body?: object }> = {
    'list users': () => ({ method: 'get', url: '/api/v1/users' }),
    'get user': () => ({ method: 'get', url: `/api/v1/users/${id('demo-rep1')}` }),
    'create user': () => ({
      method: 'post',
      url: '/api/v1/users',
      body: { name: `新人${++n}`, departmentIds: [dep('east')], identities: { wecom: `new-${n}-${Date.now()}` } },
    }),
    'update user': () => ({ method: 'patch', url: `/api/v1/users/${id('demo-rep2')}`, body: { title: `高级销售${++n}` } }),
    'deactivate user': () => ({ method: 'post', url: `/api/v1/users/${id('demo-legal')}/deactivate` }),
    'list departments': () => ({ method: 'get', url: '/api/v1/departments' }),
    'create department': () => ({ method: 'post', url: '/api/v1/departments', body: { name: `新部门${++n}`, parentId: dep('sales') } }),
    'update department': () => ({ method: 'patch', url: `/api/v1/departments/${dep('south')}`, body: { order: ++n } }),
    'read audit': () => ({ method: 'get', url: '/api/v1/audit' }),
  };
  const OK = 'ok';
  const table: Array<[string, string, 'ok' | 403]> = [];
  const expectations: Record<string, Record<string, 'ok' | 403>> = {
    'demo-admin': Object.fromEntries(Object.keys(requests).map((k) => [k, OK])),
    'demo-manager': {
      'list users': OK,
      'get user': OK,
      'list departments': OK,
      'create user': 403,
      'update user': 403,
      'deactivate user': 403,
      'create department': 403,
      'update department': 403,
      'read audit': 403,
    },
    'demo-rep1': {
      'list users': OK,
      'get user': OK,
      'list departments': OK,
      'create user': 403,
      'update user': 403,
      'deactivate user': 403,
      'create department': 403,
      'update department': 403,
      'read audit': 403,
    },
    'demo-partner': Object.fromEntries(Object.keys(requests).map((k) => [k, 403])),
  };
  // admin's deactivation runs last so the other rows still see demo-legal active
  for (const login of ['demo-manager', 'demo-rep1', 'demo-partner', 'demo-admin']) {
    for (const [name, expected] of Object.entries(expectations[login]!)) table.push([login, name, expected]);
  }

  it.each(table)('%s: %s → %s', async (login, name, expected) => {
    const r = requests[name]!();
    let req = t.http[r.method](r.url).set('Authorization', await t.login(login));
    if (r.body) req = req.send(r.body);
    const res = await req;
    if (expected === OK) expect([200, 201]).toContain(res.status);
    else {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
  });
});

describe('admin endpoints', () => {
  it('creates a user with a leader; the new user is then within the leader’s subordinates', async () => {
    const admin = await t.login('demo-admin');
    const res = await t.http
      .post('/api/v1/users')
      .set('Authorization', admin)
      .send({
        name: '钱多多',
        mobile: '13912345678',
        departmentIds: [dep('east')],
        leaderId: id('demo-manager'),
        identities: { wecom: 'qian-dd' },
        roles: ['rep'],
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: '钱多多', leaderId: id('demo-manager'), dataScope: 'own', status: 'active' });
    const stored = await t.conn.model<User>('User').findById(res.body.id).lean();
    expect(stored!.leaderChain.map(String)).toEqual([id('demo-manager'), id('demo-director'), id('demo-gm')]);
    expect(await visibleLogins('demo-manager')).toContain('qian-dd');
  });

  it('refuses a duplicate WeCom identity with 409', async () => {
    const res = await t.http
      .post('/api/v1/users')
      .set('Authorization', await t.login('demo-admin'))
      .send({ name: '重复', departmentIds: [dep('east')], identities: { wecom: 'demo-rep1' } });
    expect(res.status).toBe(409);
  });

  it('refuses a leader cycle', async () => {
    const res = await t.http
      .patch(`/api/v1/users/${id('demo-manager')}`)
      .set('Authorization', await t.login('demo-admin'))
      .send({ leaderId: id('demo-rep1') });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('body.leaderId');
  });

  it('refuses to move a department under its own child', async () => {
    const res = await t.http
      .patch(`/api/v1/departments/${dep('sales')}`)
      .set('Authorization', await t.login('demo-admin'))
      .send({ parentId: dep('east') });
    expect(res.status).toBe(400);
  });

  it('moving a department re-derives the scope of those above it', async () => {
    const admin = await t.login('demo-admin');
    const created = await t.http
      .post('/api/v1/departments')
      .set('Authorization', admin)
      .send({ name: '华东二组', parentId: dep('gmo') });
    expect(created.status).toBe(201);
    const moved = await t.http
      .patch(`/api/v1/departments/${created.body.id}`)
      .set('Authorization', admin)
      .send({ parentId: dep('east') });
    expect(moved.status).toBe(200);
    expect(moved.body.ancestorIds).toEqual([dep('hq'), dep('sales'), dep('east')]);
    const seen = await t.http.get('/api/v1/departments').set('Authorization', await t.login('demo-director'));
    expect((seen.body.items as Array<{ id: string }>).map((d) => d.id)).toContain(created.body.id);
  });

  it('will not archive a department that still has people', async () => {
    const res = await t.http.post(`/api/v1/departments/${dep('east')}/deactivate`).set('Authorization', await t.login('demo-admin'));
    expect(res.status).toBe(409);
  });

  it('paginates users with a cursor, each user once', async () => {
    const admin = await t.login('demo-admin');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.http.get(`/api/v1/users?limit=3${cursor ? `&cursor=${cursor}` : ''}`).set('Authorization', admin);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...(res.body.items as Array<{ id: string }>).map((u) => u.id));
      cursor = res.body.nextCursor as string | null;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(await t.conn.model<User>('User').countDocuments());
  });
});

describe('bad input', () => {
  it.each([
    ['unknown field', { name: 'x', departmentIds: [], isAdmin: true }, 'VALIDATION_FAILED'],
    ['operator in a value', { name: { $ne: null }, departmentIds: [] }, 'FORBIDDEN_KEY'],
    ['dotted key', { 'identities.wecom': 'x', name: 'x' }, 'FORBIDDEN_KEY'],
    ['malformed department id', { name: 'x', departmentIds: ['123'] }, 'VALIDATION_FAILED'],
    ['bad mobile', { name: 'x', departmentIds: ['0123456789abcdef01234567'], mobile: '12345' }, 'VALIDATION_FAILED'],
    ['too long name', { name: '长'.repeat(65), departmentIds: ['0123456789abcdef01234567'] }, 'VALIDATION_FAILED'],
  ])('POST /users with %s → 400 %s', async (_name, body, code) => {
    const res = await t.http
      .post('/api/v1/users')
      .set('Authorization', await t.login('demo-admin'))
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
  });

  it.each([
    ['/api/v1/users?status[$ne]=resigned', 'FORBIDDEN_KEY'],
    ['/api/v1/users?limit=1000', 'VALIDATION_FAILED'],
    ['/api/v1/users?cursor=%%%', 'VALIDATION_FAILED'],
    ['/api/v1/users?sort=name', 'VALIDATION_FAILED'],
    ['/api/v1/users/not-an-id', 'VALIDATION_FAILED'],
  ])('GET %s → 400 %s', async (url, code) => {
    const res = await t.http.get(url).set('Authorization', await t.login('demo-admin'));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
  });

  it('a failed create leaves nothing behind', async () => {
    const before = await t.conn.model<User>('User').countDocuments();
    await t.http
      .post('/api/v1/users')
      .set('Authorization', await t.login('demo-admin'))
      .send({ name: '半条', departmentIds: ['0123456789abcdef01234567'], identities: { wecom: 'half-written' } });
    expect(await t.conn.model<User>('User').countDocuments()).toBe(before);
  });
});
