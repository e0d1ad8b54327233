import type { AppMiddleware } from '../context';
import type { DatabaseHealth } from '../db/database-health';
import { DatabaseUnavailableError } from '../db/unavailable';

const RECHECK_MS = 100;

/**
 * The request-level bound on a database that stopped answering. Server selection and the error mapping
 * already turn an unreachable database into 503 within about a second; a frozen one (SIGSTOP, a stuck VM)
 * accepts connections and never answers, and the driver would wait for its socket timeout. Once a request has
 * run for `budgetMs`, and from then on, it is answered 503 DATABASE_UNAVAILABLE as soon as the database is
 * known not to answer (DatabaseHealth). A request that is slow for another reason (a platform API) is left
 * alone. The abandoned work finishes or fails in the background; its outcome is dropped.
 */
export function databaseDeadline(health: DatabaseHealth, budgetMs: number): AppMiddleware {
  return async (ctx, next) => {
    let timer: NodeJS.Timeout | undefined;
    const work = next();
    const deadline = new Promise<never>((_, reject) => {
      const check = () => {
        if (health.answering()) timer = setTimeout(check, RECHECK_MS);
        else reject(new DatabaseUnavailableError(`no answer from the database within ${budgetMs} ms (silent for ${health.silentForMs()} ms)`));
      };
      timer = setTimeout(check, budgetMs);
    });
    try {
      await Promise.race([work, deadline]);
    } catch (err) {
      if (err instanceof DatabaseUnavailableError) work.catch(() => undefined);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };
}
