import { act, renderHook } from '@testing-library/react';
import type { CustomerService } from '../services/customers';
import { useCustomerSearch } from './use-customer-search';
import { toFollowUpBody, type VisitForm } from './use-visit-form';

describe('useCustomerSearch', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('shows recent customers while empty, and searches once typing settles (debounced)', async () => {
    const searches: string[] = [];
    const svc = {
      recent: jest.fn(async () => [{ id: 'r', name: '最近' }]),
      search: jest.fn(async (q: string) => (searches.push(q), [{ id: 's', name: `结果 ${q}` }])),
    } as unknown as CustomerService;
    const { result, rerender } = renderHook(({ q }) => useCustomerSearch(q, svc, 300), { initialProps: { q: '' } });
    await act(async () => {
      await Promise.resolve();
    });
    expect(result.current).toMatchObject({ mode: 'recent', state: 'ready' });
    expect(result.current.items[0]!.name).toBe('最近');
    for (const q of ['z', 'zs']) {
      rerender({ q });
      await act(async () => {
        jest.advanceTimersByTime(100);
      });
    }
    expect(searches).toEqual([]);
    await act(async () => {
      jest.advanceTimersByTime(300);
    });
    await act(async () => {
      await Promise.resolve();
    });
    expect(searches).toEqual(['zs']);
    expect(result.current).toMatchObject({ mode: 'results', query: 'zs', state: 'ready' });
  });
});

describe('visit form → API body', () => {
  const now = new Date('2026-11-23T02:00:00Z');
  const form: VisitForm = {
    type: 'visit',
    contactId: 'p1',
    content: ' 演示 ',
    location: { lat: 31, lng: 121 },
    address: '浦东',
    nextStepText: '',
    choice: 'tomorrow-morning',
    customDate: '',
    customTime: '09:00',
  };

  it('明天上午 is tomorrow 09:00 in Asia/Shanghai, with a default text', () => {
    expect(toFollowUpBody('c1', form, now)).toEqual({
      body: {
        customerId: 'c1',
        contactId: 'p1',
        type: 'visit',
        content: '演示',
        happenedAt: now.toISOString(),
        location: { lat: 31, lng: 121, address: '浦东' },
        nextStep: { text: '明天上午再次跟进', dueAt: '2026-11-24T01:00:00.000Z' },
      },
    });
  });

  it('refuses an empty visit, an incomplete or past custom time', () => {
    expect(toFollowUpBody('c1', { ...form, content: ' ' }, now)).toEqual({ error: '请填写拜访内容' });
    expect(toFollowUpBody('c1', { ...form, choice: 'custom', customDate: '' }, now)).toEqual({ error: '请选择下一步的日期和时间' });
    expect(toFollowUpBody('c1', { ...form, choice: 'custom', customDate: '2026-11-20' }, now)).toEqual({ error: '下一步的时间需要晚于现在' });
  });
});
