import { ApiError, NETWORK_ERROR, type Request } from './request';
import { memoryStore } from './storage';
import { VisitService } from './visits';

const body = (content: string) => ({ customerId: 'c1', type: 'visit' as const, content });

function setup(answers: Array<'ok' | 'offline' | '400' | '500'>) {
  const store = memoryStore();
  const sent: string[] = [];
  let n = 0;
  const request = (async (_m: string, _p: string, opts?: { body?: { content: string } }) => {
    const a = answers.shift() ?? 'ok';
    await new Promise((r) => setTimeout(r, 2));
    if (a === 'offline') throw new ApiError(0, NETWORK_ERROR, '网络不可用', 'r');
    if (a === '400') throw new ApiError(400, 'VALIDATION_FAILED', '请求参数不正确', 'r');
    if (a === '500') throw new ApiError(500, 'INTERNAL', '服务器出错了', 'r');
    sent.push(opts!.body!.content);
    return { id: `f${++n}` };
  }) as unknown as Request;
  return {
    store,
    sent,
    svc: new VisitService(
      request,
      store,
      () => new Date('2026-11-23T02:00:00Z'),
      () => `e${Math.random()}`,
    ),
  };
}

describe('visit drafts and the offline outbox', () => {
  it('keeps a draft per customer and clears it once sent', async () => {
    const { svc, sent } = setup(['ok']);
    svc.saveDraft('c1', { type: 'visit', contactId: null, content: '草稿', location: null, nextStepText: '', nextStepDueAt: null, nextStepChoice: null });
    expect(svc.loadDraft('c1')).toMatchObject({ content: '草稿', savedAt: '2026-11-23T02:00:00.000Z' });
    expect(await svc.submit(body('草稿'))).toEqual({ status: 'sent', followUpId: 'f1' });
    expect(svc.loadDraft('c1')).toBeNull();
    expect(sent).toEqual(['草稿']);
  });

  it('offline: queues the visit, then sends it once when the network is back, even if flush is called twice', async () => {
    const { svc, sent } = setup(['offline', 'ok']);
    expect((await svc.submit(body('离线拜访'))).status).toBe('queued');
    expect(svc.pending()).toHaveLength(1);
    const [a, b] = await Promise.all([svc.flush(), svc.flush()]);
    expect(a).toBe(b);
    expect(a.sent).toBe(1);
    expect(await svc.flush()).toEqual({ sent: 0, dropped: [], kept: 0 });
    expect(sent).toEqual(['离线拜访']);
    expect(svc.pending()).toEqual([]);
  });

  it('keeps entries while the server is unreachable or failing; drops what the server refuses', async () => {
    const { svc, sent } = setup(['offline', 'offline', '500', '400', 'ok']);
    await svc.submit(body('一'));
    await svc.submit(body('二'));
    expect((await svc.flush()).kept).toBe(2);
    const r = await svc.flush();
    expect(r.sent).toBe(1);
    expect(r.dropped.map((d) => d.entry.body.content)).toEqual(['一']);
    expect(sent).toEqual(['二']);
    expect(svc.pending()).toEqual([]);
  });

  it('a refused visit (4xx) is not queued: the error reaches the page', async () => {
    const { svc } = setup(['400']);
    await expect(svc.submit(body('x'))).rejects.toMatchObject({ status: 400 });
    expect(svc.pending()).toEqual([]);
  });
});
