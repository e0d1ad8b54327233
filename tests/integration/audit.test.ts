import { auditModel } from '../../api/src/modules/audit/audit.model';
import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const id = (login: string) => String(t.seeded.org.users.get(login));

describe('audit entries', () => {
  it('records who changed what, with before / after, request id and channel', async () => {
    const admin = await t.login('demo-admin');
    const res = await t.http
      .patch(`/api/v1/users/${id('demo-rep3')}`)
      .set('Authorization', admin)
      .set('X-Request-Id', 'audit-trace-1')
      .set('X-Client', 'miniapp')
      .send({ title: '高级销售代表', dataScope: 'own_and_subordinates' });
    expect(res.status).toBe(200);

    const list = await t.http.get(`/api/v1/audit?entityType=user&entityId=${id('demo-rep3')}`).set('Authorization', admin);
    expect(list.status).toBe(200);
    const entry = list.body.items.find((e: { action: string }) => e.action === 'user.update');
    expect(entry).toMatchObject({
      actorId: id('demo-admin'),
      actorName: '孙立',
      entityType: 'user',
      entityId: id('demo-rep3'),
      requestId: 'audit-trace-1',
      channel: 'miniapp',
      changes: {
        title: { before: '销售代表', after: '高级销售代表' },
        dataScope: { before: 'own', after: 'own_and_subordinates' },
      },
    });
    expect(Object.keys(entry.changes)).toEqual(['title', 'dataScope']);
    expect(new Date(entry.at).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('every entry written for a signed-in actor carries their name (the log stays readable after a rename)', async () => {
    const rep = await t.login('demo-rep1');
    const created = await t.http
      .post('/api/v1/customers')
      .set('Authorization', rep)
      .send({ name: '审计姓名验证', company: '审计姓名有限公司', source: '官网' });
    expect(created.status).toBe(201);
    const customerId = created.body.id as string;
    const followUp = await t.http.post('/api/v1/follow-ups').set('Authorization', rep).send({ customerId, content: '电话沟通了需求', type: 'call' });
    expect(followUp.status).toBe(201);
    const entries = await auditModel(t.conn)
      .find({ actorId: t.seeded.org.users.get('demo-rep1') })
      .lean();
    const byAction = new Map(entries.map((e) => [e.action, e.actorName]));
    for (const action of ['auth.dev-login', 'customer.create', 'follow-up.create'])
      expect({ action, actorName: byAction.get(action) }).toEqual({ action, actorName: '刘洋' });
  });

  it('writes nothing for an update that changes nothing', async () => {
    const admin = await t.login('demo-admin');
    const count = () => t.services.audit.list({ entityType: 'user', entityId: id('demo-rep2'), limit: 100 }).then((p) => p.items.length);
    const before = await count();
    await t.http
      .patch(`/api/v1/users/${id('demo-rep2')}`)
      .set('Authorization', admin)
      .send({ title: '销售代表' });
    expect(await count()).toBe(before);
  });

  it('filters by actor and time', async () => {
    const admin = await t.login('demo-admin');
    const since = new Date(Date.now() - 1000).toISOString();
    await t.http.post('/api/v1/departments').set('Authorization', admin).send({ name: '审计测试部' });
    const byActor = await t.http.get(`/api/v1/audit?actorId=${id('demo-admin')}&from=${since}`).set('Authorization', admin);
    expect(byActor.body.items.map((e: { action: string }) => e.action)).toContain('department.create');
    expect(byActor.body.items.every((e: { actorId: string }) => e.actorId === id('demo-admin'))).toBe(true);
    const future = await t.http.get(`/api/v1/audit?from=${new Date(Date.now() + 3600_000).toISOString()}`).set('Authorization', admin);
    expect(future.body.items).toEqual([]);
  });
});

describe('the audit log is append-only', () => {
  it.each(['put', 'patch', 'delete', 'post'] as const)('%s /api/v1/audit is refused', async (method) => {
    const res = await t.http[method]('/api/v1/audit')
      .set('Authorization', await t.login('demo-admin'))
      .send({});
    expect(res.status).toBe(405);
  });

  it.each(['get', 'put', 'patch', 'delete'] as const)('%s /api/v1/audit/:id does not exist', async (method) => {
    const [first] = (await t.services.audit.list({ limit: 1 })).items as unknown as Array<{ _id: unknown }>;
    const res = await t.http[method](`/api/v1/audit/${String(first!._id)}`)
      .set('Authorization', await t.login('demo-admin'))
      .send({});
    expect(res.status).toBe(404);
  });

  it('the model refuses updates and deletes even from code', async () => {
    const model = auditModel(t.conn);
    const before = await model.countDocuments();
    await expect(model.updateMany({}, { $set: { action: 'forged' } })).rejects.toThrow(/append-only/);
    await expect(model.deleteMany({})).rejects.toThrow(/append-only/);
    await expect(model.findOneAndUpdate({}, { $set: { action: 'forged' } })).rejects.toThrow(/append-only/);
    const doc = await model.findOne();
    doc!.action = 'forged';
    await expect(doc!.save()).rejects.toThrow(/append-only/);
    expect(await model.countDocuments()).toBe(before);
    expect(await model.countDocuments({ action: 'forged' })).toBe(0);
  });

  it('only admins may read it', async () => {
    const res = await t.http.get('/api/v1/audit').set('Authorization', await t.login('demo-director'));
    expect(res.status).toBe(403);
  });
});
