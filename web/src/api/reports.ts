import { useQuery } from '@tanstack/react-query';
import type { AdoptionDto, CycleDto, DrillDto, ForgottenDto, FunnelDto, RankingDto, SourcesDto, StalledDto } from '@shared/reports/report.dto';
import { api, type Query } from './client';

export type { AdoptionDto, CycleDto, DrillDto, DrillRowDto, ForgottenDto, FunnelDto, RankingDto, SourcesDto, StalledDto } from '@shared/reports/report.dto';

/** The period picked on the dashboard, as the reports' query parameters (shared/src/reports/report.dto.ts). */
export interface PeriodQuery {
  period: 'week' | 'month' | 'quarter' | 'custom';
  from?: string;
  to?: string;
}

const report =
  <T>(name: string) =>
  (q: Query) =>
    api<T>(`/reports/${name}`, { query: q });

export const useFunnel = (q: PeriodQuery & { by: 'created' | 'closed' }) =>
  useQuery({ queryKey: ['reports', 'funnel', q], queryFn: () => report<FunnelDto>('funnel')({ ...q }) });
export const useRanking = (q: PeriodQuery & { dimension: 'rep' | 'department' }) =>
  useQuery({ queryKey: ['reports', 'ranking', q], queryFn: () => report<RankingDto>('ranking')({ ...q }) });
export const useSources = (q: PeriodQuery) => useQuery({ queryKey: ['reports', 'sources', q], queryFn: () => report<SourcesDto>('sources')({ ...q }) });
export const useCycle = (q: PeriodQuery) => useQuery({ queryKey: ['reports', 'cycle', q], queryFn: () => report<CycleDto>('cycle')({ ...q }) });
export const useAdoption = (q: PeriodQuery) => useQuery({ queryKey: ['reports', 'adoption', q], queryFn: () => report<AdoptionDto>('adoption')({ ...q }) });
export const useStalled = () => useQuery({ queryKey: ['reports', 'stalled'], queryFn: () => report<StalledDto>('stalled')({ limit: 100 }) });
export const useForgotten = () => useQuery({ queryKey: ['reports', 'forgotten'], queryFn: () => report<ForgottenDto>('forgotten')({ limit: 100 }) });

/** What a click on a chart asks for: the drill-down list behind one figure. */
export interface DrillRequest {
  title: string;
  query: Query & { report: 'funnel' | 'ranking' | 'sources' | 'cycle' | 'adoption' };
}

export const useDrill = (req: DrillRequest | null) =>
  useQuery({
    queryKey: ['reports', 'drill', req?.query],
    queryFn: () => api<DrillDto>('/reports/drill', { query: { ...req!.query, limit: 200 } }),
    enabled: Boolean(req),
  });
