import type { Migration } from './types';

/**
 * Reports (issue #16): the month totals moved out of the day roll-ups into documents of their own
 * (`report_rollup_months`), so a report over whole months reads small documents. The roll-ups are rebuilt once from
 * the records (idempotent: a rebuild writes a new generation and switches to it; on an empty database it is instant).
 */
export const reportMonthRollups: Migration = {
  version: 19,
  name: 'report-month-rollups',
  async up({ services }) {
    const r = await services.reports.rollups.rebuild();
    return { documents: r.documents, tookMs: r.tookMs };
  },
};
