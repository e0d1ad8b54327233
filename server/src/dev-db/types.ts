/** What the development database launchers share: the options they take and what they hand back. */
export type EmbeddedDbKind = 'uri' | 'system-mongod' | 'memory-server' | 'mongo-java-server';

export interface ResolvedDatabase {
  kind: EmbeddedDbKind;
  /** Connection string including the database name (for 'uri': the given URI unchanged). */
  uri: string;
  /** One sentence for the start-up log; never contains a password. */
  description: string;
  /** The directory or file where the data lives, or null when it lives in memory (or on a server we did not start). */
  dataLocation: string | null;
  /** Stops whatever was started (a no-op for 'uri'). */
  stop(): Promise<void>;
  /** The process id of the database server we started and supervise (undefined for 'uri' and memory-server). */
  pid?(): number | undefined;
}

export interface ResolveOptions {
  /** Set: use it, start nothing. */
  mongodbUri?: string;
  /** true for npm start (data survives restarts), false for tests (in memory / a temporary directory). */
  persistent: boolean;
  /** Where persistent data goes (created if missing). */
  dataDir: string;
  /** Downloads: <cacheDir>/mongo-java-server/lib (jars), <cacheDir>/mongodb-binaries (mongodb-memory-server). */
  cacheDir: string;
  /** The database name put into the URI. */
  dbName: string;
  /** A mongod binary to use (MONGOMS_SYSTEM_BINARY). */
  systemBinary?: string;
  /** The PATH to search for mongod (the caller passes process.env.PATH). */
  pathEnv?: string;
  /** Progress lines for the start-up log. */
  log: (msg: string) => void;
  /**
   * Cap on mongodb-memory-server's attempt once its download host answers (a real first download is ~100 MB).
   * Without internet the step fails in milliseconds anyway: DNS and a TCP probe of the host come first.
   */
  memoryServerTimeoutMs?: number;
  /** Heap of the mongo-java-server JVM in MB (default 512); the stand-in keeps its working set in memory. */
  javaHeapMb?: number;
  /** Steps to leave out (tests of the chain itself). */
  skip?: EmbeddedDbKind[];
}

export interface ResolveAttempt {
  step: string;
  reason: string;
}

export class NoDatabaseError extends Error {
  constructor(readonly attempts: ResolveAttempt[]) {
    super(
      [
        'No database could be started. Tried, in order:',
        ...attempts.map((a, i) => `  ${i + 1}. ${a.step}: ${a.reason}`),
        'Fix one of these:',
        '  - set MONGODB_URI to a MongoDB 4.4+ server (e.g. mongodb://127.0.0.1:27017/crm);',
        '  - install mongod (on PATH, or point MONGOMS_SYSTEM_BINARY at it);',
        '  - install Java 17 and Maven (Debian: apt-get install openjdk-17-jre-headless maven) and run `npm run db:jars` for the offline stand-in.',
      ].join('\n'),
    );
    this.name = 'NoDatabaseError';
  }
}

/** How long a started server may take to answer. */
export const READY_TIMEOUT_MS = { mongod: 30_000, java: 60_000 } as const;
