import { createReportService } from './reports';
import type { Request } from './request';

describe('the reports service (the mini-app dashboard’s one source)', () => {
  it.each([
    ['summary', (s: ReturnType<typeof createReportService>) => s.summary('week'), 'summary', { period: 'week', scope: 'team' }],
    ['funnel', (s: ReturnType<typeof createReportService>) => s.funnel('month'), 'funnel', { period: 'month' }],
    ['ranking', (s: ReturnType<typeof createReportService>) => s.ranking('quarter'), 'ranking', { period: 'quarter', dimension: 'rep' }],
    ['team overdue', (s: ReturnType<typeof createReportService>) => s.teamOverdue(), 'team-overdue', {}],
    [
      'drill, next page',
      (s: ReturnType<typeof createReportService>) => s.drill({ report: 'funnel', period: 'month', stage: 'proposal' }, '50'),
      'drill',
      { report: 'funnel', period: 'month', stage: 'proposal', limit: 50, cursor: '50' },
    ],
  ])('%s → GET /api/v1/reports/%s', async (_name, call, path, query) => {
    const calls: Array<{ method: string; path: string; query: unknown }> = [];
    const request = (async (method: string, p: string, opts?: { query?: unknown }) => {
      calls.push({ method, path: p, query: opts?.query });
      return {};
    }) as Request;
    await call(createReportService(request));
    expect(calls).toEqual([{ method: 'GET', path: `/api/v1/reports/${path}`, query: expect.objectContaining(query) }]);
  });
});
