import type { Logger } from 'pino';
import type { Services } from '@crm/api';

/** What a migration may use: the services (each module's own methods; never another module's collection). */
export interface MigrationContext {
  services: Services;
  logger: Logger;
}

/** One step of the data's history: `NNN-name.ts`, applied once, in version order, and safe to run again. */
export interface Migration {
  version: number;
  name: string;
  /** Idempotent: a run that died half-way is run again whole. Answers what it did (logged and recorded). */
  up(ctx: MigrationContext): Promise<unknown>;
}
