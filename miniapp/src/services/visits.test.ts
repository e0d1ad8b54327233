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

  it('the first attempt and every later one carry the same Idempotency-Key; a visit the server is still storing stays queued', async () => {
    const store = memoryStore();
    const calls: Array<{ key: string | undefined; content: string }> = [];
    const answers = ['timeout', 'in-progress', 'ok'];
    const request = (async (_m: string, _p: string, opts?: { body?: { content: string }; headers?: Record<string, string> }) => {
      calls.push({ key: opts?.headers?.['Idempotency-Key'], content: opts!.body!.content });
      const a = answers.shift();
      if (a === 'timeout') throw new ApiError(0, NETWORK_ERROR, '网络不可用', 'r'); // the server may have stored it
      if (a === 'in-progress') throw new ApiError(409, 'IDEMPOTENCY_IN_PROGRESS', '同一请求正在处理中', 'r');
      return { id: 'f1' };
    }) as unknown as Request;
    let n = 0;
    const svc = new VisitService(
      request,
      store,
      () => new Date('2026-11-23T02:00:00Z'),
      () => `visit-key-${++n}`,
    );
    expect(await svc.submit(body('弱网拜访'))).toEqual({ status: 'queued', entryId: 'visit-key-1' });
    expect((await svc.flush()).kept).toBe(1);
    expect((await svc.flush()).sent).toBe(1);
    expect(calls).toEqual([
      { key: 'visit-key-1', content: '弱网拜访' },
      { key: 'visit-key-1', content: '弱网拜访' },
      { key: 'visit-key-1', content: '弱网拜访' },
    ]);
    expect(svc.pending()).toEqual([]);
  });

  it('two visits get two keys', async () => {
    const keys: string[] = [];
    const request = (async (_m: string, _p: string, opts?: { headers?: Record<string, string> }) => {
      keys.push(opts!.headers!['Idempotency-Key']!);
      return { id: 'f' };
    }) as unknown as Request;
    let n = 0;
    const svc = new VisitService(request, memoryStore(), undefined, () => `visit-key-${++n}`);
    await svc.submit(body('一'));
    await svc.submit(body('二'));
    expect(keys).toEqual(['visit-key-1', 'visit-key-2']);
  });

  it('a refused visit (4xx) is not queued: the error reaches the page', async () => {
    const { svc } = setup(['400']);
    await expect(svc.submit(body('x'))).rejects.toMatchObject({ status: 400 });
    expect(svc.pending()).toEqual([]);
  });
});
