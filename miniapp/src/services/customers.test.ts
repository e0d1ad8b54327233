import { createCustomerService } from './customers';
import type { QuickCreateBody } from './api-types';
import type { Request, RequestOptions } from './request';
import { memoryStore } from './storage';

const store = memoryStore();

function service() {
  const calls: Array<{ method: string; path: string; opts?: RequestOptions }> = [];
  const request = (async (method: string, path: string, opts?: RequestOptions) => {
    calls.push({ method, path, opts });
    return { id: 'c1' };
  }) as unknown as Request;
  let n = 0;
  const svc = createCustomerService(
    request,
    store,
    () => new Date(),
    () => `key-${++n}`,
  );
  const keys = () => calls.map((c) => c.opts?.headers?.['Idempotency-Key']);
  return { svc, calls, keys };
}

const body = { name: '张三', company: '上海星辰', source: '展会', tier: 'C', tags: [], contacts: [] } as unknown as QuickCreateBody;

describe('customer create carries an Idempotency-Key', () => {
  it.each([
    ['a double tap (same content twice)', [body, body], ['key-1', 'key-1']],
    ['content changed in between (e.g. forced after the duplicate warning)', [body, { ...body, force: true, reason: '不同主体' }], ['key-1', 'key-2']],
    ['back to the first content after a change', [body, { ...body, name: '李四' }, body], ['key-1', 'key-2', 'key-3']],
  ])('%s', async (_label, inputs, expected) => {
    const { svc, keys } = service();
    await Promise.all((inputs as QuickCreateBody[]).map((i) => svc.create(i)));
    expect(keys()).toEqual(expected);
  });
});
