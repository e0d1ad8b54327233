/** `@crm/server`: the composition root (buildSystem) and the jobs. `main.ts` is the process entry. */
export { buildSystem, silentLogger, type System, type SystemOptions } from './system';
export { openDatabase, isNoDatabaseError, type ResolvedDatabase } from './database';
export { JobRunner, systemJobs, REPORT_REBUILD_JOB, type Job, type JobPorts } from './jobs';
export { MIGRATIONS, migrationId, runMigrations, type Migration, type MigrationContext } from './migrations';
