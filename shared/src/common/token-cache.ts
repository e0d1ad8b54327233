/**
 * A platform access token kept until five minutes before it expires (at least a minute), with one fetch
 * shared by every concurrent caller; `drop` forgets a token the platform refused, unless a newer one was
 * fetched meanwhile. Used by the WeCom and DingTalk clients of the bot and of sign-in.
 */
export class TokenCache {
  private token: { value: string; expiresAt: number } | null = null;
  private refreshing: Promise<string> | null = null;

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
        return value;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  drop(value: string): void {
    if (this.token?.value === value) this.token = null;
  }
}
