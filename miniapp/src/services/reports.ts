import type { DrillDto, FunnelDto, RankingDto, SummaryDto, TeamOverdueDto } from '@shared/reports/report.dto';
import type { Request } from './request';

/** The periods the phone dashboard offers (the workbench also has custom ranges). */
export type DashPeriod = 'week' | 'month' | 'quarter';

/** A figure's list (`GET /api/v1/reports/drill`): the records counted in it, in the viewer's scope. */
export interface DrillParams {
  report: 'funnel' | 'ranking';
  period: DashPeriod;
  stage?: string;
  metric?: 'deals' | 'won' | 'lost' | 'contracts' | 'followUps';
  ownerId?: string;
}

export interface ReportService {
  /** The team's figures against the previous period (`scope=team`: everything in the viewer's scope). */
  summary(period: DashPeriod): Promise<SummaryDto>;
  funnel(period: DashPeriod): Promise<FunnelDto>;
  ranking(period: DashPeriod): Promise<RankingDto>;
  teamOverdue(): Promise<TeamOverdueDto>;
  drill(params: DrillParams, cursor?: string | null): Promise<DrillDto>;
}

/** The reports API (h-reports' module): every figure is scoped on the server; the mini-app only shows it. */
export function createReportService(request: Request): ReportService {
  const get = <T>(path: string, query: Record<string, string | number | null | undefined>) => request<T>('GET', `/api/v1/reports/${path}`, { query });
  return {
    summary: (period) => get<SummaryDto>('summary', { period, scope: 'team' }),
    funnel: (period) => get<FunnelDto>('funnel', { period }),
    ranking: (period) => get<RankingDto>('ranking', { period, dimension: 'rep' }),
    teamOverdue: () => get<TeamOverdueDto>('team-overdue', {}),
    drill: (p, cursor) => get<DrillDto>('drill', { ...p, limit: 50, cursor: cursor ?? undefined }),
  };
}
