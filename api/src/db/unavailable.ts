/**
 * "The database is not answering" as one predicate, for the HTTP error mapping (503 DATABASE_UNAVAILABLE)
 * and for background loops (the reminder scheduler, sweeps) that should back off instead of logging an
 * error on every tick.
 */

/** Driver and mongoose errors that mean "unreachable / not answering", not "your request was wrong". */
const UNAVAILABLE_NAMES = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoPoolClearedError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoServerClosedError',
  'MongoOperationTimeoutError',
  'DatabaseUnavailableError',
]);

/** Thrown by our own bounded waits (the request deadline, /readyz). */
export class DatabaseUnavailableError extends Error {
  constructor(message = 'the database did not answer in time') {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}

/** True when `err` (or one of its causes) says the database is unreachable or not answering. */
export function isDatabaseUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const { name, message, code } = e as { name?: unknown; message?: unknown; code?: unknown };
    if (typeof name === 'string' && UNAVAILABLE_NAMES.has(name)) return true;
    // mongoose's buffering timeout (bufferCommands on) is a plain MongooseError
    if (name === 'MongooseError' && typeof message === 'string' && /buffering timed out|before initial connection/i.test(message)) return true;
    // maxTimeMS expired on the server (code 50): the database is overloaded or stuck
    if (code === 50) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
