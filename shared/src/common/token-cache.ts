/**
 * A platform access token kept until five minutes before it expires (at least a minute), with one fetch
 * shared by every concurrent caller; `drop` forgets a token the platform refused, unless a newer one was
 * fetched meanwhile. Used by the WeCom and DingTalk clients of the bot and of sign-in.
 */
/** How the last token fetch went (for /readyz: a cached state, never a live call). */
export interface TokenStatus {
  state: 'unknown' | 'ok' | 'failing';
  /** When the last fetch ended (ISO). */
  at?: string;
  /** The last failure's message (no secrets: the clients' errors carry errcode and errmsg). */
  error?: string;
}

export class TokenCache {
  private token: { value: string; expiresAt: number } | null = null;
  private refreshing: Promise<string> | null = null;
  private last: TokenStatus = { state: 'unknown' };

  constructor(
    private readonly fetchToken: () => Promise<{ value: string; ttlSeconds: number }>,
    private readonly now: () => number = () => Date.now(),
  ) {}

  get(): Promise<string> {
    if (this.token && this.token.expiresAt > this.now()) return Promise.resolve(this.token.value);
    this.refreshing ??= (async () => {
      try {
        const { value, ttlSeconds } = await this.fetchToken();
        this.token = { value, expiresAt: this.now() + Math.max(60, ttlSeconds - 300) * 1000 };
        this.last = { state: 'ok', at: new Date(this.now()).toISOString() };
        return value;
      } catch (err) {
        this.last = { state: 'failing', at: new Date(this.now()).toISOString(), error: err instanceof Error ? err.message : String(err) };
        throw err;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  /** The last fetch's outcome ('unknown' before the first). */
  status(): TokenStatus {
    return this.last;
  }

  drop(value: string): void {
    if (this.token?.value === value) this.token = null;
  }
}
