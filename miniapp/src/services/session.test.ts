import { createRequest, type HttpRequest } from './request';
import { Session, type PlatformCode } from './session';
import { memoryStore } from './storage';

function setup(code: PlatformCode | null) {
  const store = memoryStore();
  const sent: HttpRequest[] = [];
  const signIns: string[] = [];
  const session = new Session({ store, platformCode: async () => code, goToSignIn: () => signIns.push('go') });
  const request = createRequest({
    baseUrl: '',
    session,
    toast: () => undefined,
    newRequestId: () => 'r',
    transport: async (req) => {
      sent.push(req);
      await new Promise((r) => setTimeout(r, 5));
      return { statusCode: 200, data: { token: `t-${sent.length}`, expiresAt: '', user: { id: 'u1', name: '刘洋', roles: ['rep'], dataScope: 'own' } } };
    },
  });
  session.attach(request);
  return { store, sent, session, signIns };
}

describe('session', () => {
  it.each([
    [{ kind: 'wecom-miniprogram', code: 'c1' } as PlatformCode, '/api/v1/auth/wecom-miniprogram', { code: 'c1' }],
    [{ kind: 'wecom-oauth', code: 'c2' } as PlatformCode, '/api/v1/auth/wecom-oauth', { code: 'c2' }],
    [{ kind: 'dingtalk', authCode: 'a3' } as PlatformCode, '/api/v1/auth/dingtalk', { authCode: 'a3' }],
  ])('signs in with the platform code (%o) at %s', async (code, path, body) => {
    const { sent, session } = setup(code);
    const user = await session.autoSignIn();
    expect(user?.name).toBe('刘洋');
    expect(sent[0]).toMatchObject({ url: path, method: 'POST', data: body });
    expect(sent[0]!.header.Authorization).toBeUndefined();
    expect(session.token()).toBe('t-1');
  });

  it('outside a platform, signs the remembered demo user in again; nobody remembered → null', async () => {
    const { sent, session } = setup(null);
    expect(await session.autoSignIn()).toBeNull();
    await session.signInAsDemo('demo-rep1');
    expect(sent[0]).toMatchObject({ url: '/api/v1/auth/dev-login', data: { login: 'demo-rep1' } });
    expect(await session.relogin()).toBe('t-2');
    expect(sent[1]).toMatchObject({ url: '/api/v1/auth/dev-login', data: { login: 'demo-rep1' } });
  });

  it('concurrent re-sign-ins share one call', async () => {
    const { sent, session } = setup({ kind: 'dingtalk', authCode: 'x' });
    const tokens = await Promise.all([session.relogin(), session.relogin(), session.relogin()]);
    expect(new Set(tokens)).toEqual(new Set(['t-1']));
    expect(sent).toHaveLength(1);
  });

  it('knows managers; sign-out forgets everything', async () => {
    const { session, store } = setup(null);
    store.set('crm.user', { id: 'm', name: '张伟', roles: ['manager'], dataScope: 'department_and_children' });
    expect(session.isManager()).toBe(true);
    session.signOut();
    expect(session.user()).toBeNull();
    expect(session.isManager()).toBe(false);
  });
});

describe('what the user may do (GET /api/v1/me → permissions)', () => {
  it.each([
    [['record.read'], false],
    [['org.read', 'record.read', 'record.write'], true],
  ])('permissions %j → may write: %s; sign-out or another user forgets them', async (permissions, mayWrite) => {
    const store = memoryStore();
    const session = new Session({ store, platformCode: async () => null, goToSignIn: () => undefined });
    let who = 'u1';
    const request = createRequest({
      baseUrl: '',
      session,
      toast: () => undefined,
      newRequestId: () => 'r',
      transport: async (req) =>
        req.url === '/api/v1/me'
          ? { statusCode: 200, data: { permissions } }
          : { statusCode: 200, data: { token: 't', expiresAt: '', user: { id: who, name: '周杰', roles: ['partner'], dataScope: 'own' } } },
    });
    session.attach(request);
    expect(session.can('record.write')).toBe(true); // not known yet: the server still checks
    await session.signInAsDemo('demo-partner');
    await session.loadPermissions();
    expect(session.can('record.write')).toBe(mayWrite);
    expect(session.isDemo()).toBe(true);
    who = 'u2';
    await session.signInAsDemo('demo-rep1');
    expect(session.can('record.write')).toBe(true);
    await session.loadPermissions();
    session.signOut();
    expect(session.can('record.write')).toBe(true);
    expect(session.isDemo()).toBe(false);
  });
});
