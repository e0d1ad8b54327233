import { maskMongoUri, type Config } from '@crm/config';
import type { ResolvedDatabase } from './dev-db/types';

export type { ResolvedDatabase } from './dev-db/types';

/**
 * The database `npm start` and the scripts use: MONGODB_URI as given, else the development chain (a local
 * mongod, mongodb-memory-server, mongo-java-server: `./dev-db`), loaded only then, so production never loads
 * the launchers. `persistent: false` keeps embedded data in memory or a temporary directory.
 */
export async function openDatabase(config: Config, log: (msg: string) => void, opts: { persistent?: boolean } = {}): Promise<ResolvedDatabase> {
  const uri = config.database.uri;
  if (uri) return { kind: 'uri', uri, description: `MongoDB at ${maskMongoUri(uri)}`, dataLocation: null, stop: async () => undefined };
  const devDb = await import('./dev-db');
  return devDb.resolveDatabase(devDb.resolveOptionsFrom(config, log, opts.persistent === undefined ? {} : { persistent: opts.persistent }));
}

/** True for the error the development chain throws when no database could be started (its message says what to do). */
export const isNoDatabaseError = (err: unknown): err is Error => err instanceof Error && err.name === 'NoDatabaseError';
