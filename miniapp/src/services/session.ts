import type { AuthOptions, SignInResult, UserDto } from './api-types';
import type { Request, SessionPort } from './request';
import type { KeyValueStore } from './storage';

/**
 * Who is signed in. Every sign-in (WeCom mini-program, WeCom H5 OAuth, DingTalk, demo user) ends in the
 * same bearer token as the API. The token and user are kept in storage; the platform code is never kept
 * (single use). `relogin` is what the request wrapper calls on a 401: it asks the platform for a fresh
 * code (no user action), or signs the remembered demo user in again.
 */
export type PlatformCode = { kind: 'wecom-miniprogram'; code: string } | { kind: 'wecom-oauth'; code: string } | { kind: 'dingtalk'; authCode: string };

export interface SessionDeps {
  store: KeyValueStore;
  /** A fresh platform code when running inside WeCom / DingTalk (or back from the OAuth redirect); null elsewhere. */
  platformCode(): Promise<PlatformCode | null>;
  /** Sends the user to the sign-in page. */
  goToSignIn(): void;
}

const TOKEN = 'crm.token';
const USER = 'crm.user';
const DEMO = 'crm.demoLogin';
const PERMISSIONS = 'crm.permissions';

export class Session implements SessionPort {
  private request: Request | null = null;
  private pending: Promise<string | null> | null = null;

  constructor(private readonly deps: SessionDeps) {}

  /** The request wrapper and the session need each other: wired once at start. */
  attach(request: Request): void {
    this.request = request;
  }

  token(): string | null {
    return this.deps.store.get<string>(TOKEN);
  }

  user(): UserDto | null {
    return this.deps.store.get<UserDto>(USER);
  }

  /** Signed in by picking a demo user (development / sandbox): the user may switch to another. */
  isDemo(): boolean {
    return Boolean(this.deps.store.get<string>(DEMO));
  }

  /**
   * Whether the signed-in user may do this (`GET /api/v1/me` → permissions, from shared/src/org/roles.ts), so
   * pages offer only what the user may do. Not known yet counts as allowed: the server checks every call anyway.
   */
  can(permission: string): boolean {
    const granted = this.deps.store.get<string[]>(PERMISSIONS);
    return granted ? granted.includes(permission) : true;
  }

  /** Asks the API what the signed-in user may do (after every sign-in). */
  async loadPermissions(): Promise<string[]> {
    const me = await this.req()<{ permissions: string[] }>('GET', '/api/v1/me', { silent: true });
    this.deps.store.set(PERMISSIONS, me.permissions);
    return me.permissions;
  }

  isManager(): boolean {
    const roles = this.user()?.roles ?? [];
    return roles.includes('manager') || roles.includes('admin');
  }

  options(): Promise<AuthOptions> {
    return this.req()<AuthOptions>('GET', '/api/v1/auth/options', { anonymous: true, silent: true });
  }

  async signInWithCode(code: PlatformCode): Promise<UserDto> {
    const [path, body] =
      code.kind === 'wecom-miniprogram'
        ? ['/api/v1/auth/wecom-miniprogram', { code: code.code }]
        : code.kind === 'wecom-oauth'
          ? ['/api/v1/auth/wecom-oauth', { code: code.code }]
          : ['/api/v1/auth/dingtalk', { authCode: code.authCode }];
    const res = await this.req()<SignInResult>('POST', path, { body, anonymous: true, silent: true });
    return this.keep(res);
  }

  async signInAsDemo(login: string): Promise<UserDto> {
    const res = await this.req()<SignInResult>('POST', '/api/v1/auth/dev-login', { body: { login }, anonymous: true, silent: true });
    this.deps.store.set(DEMO, login);
    return this.keep(res);
  }

  /** Signs in without asking: a platform code if there is one, else the remembered demo user. */
  async autoSignIn(): Promise<UserDto | null> {
    const code = await this.deps.platformCode().catch(() => null);
    if (code) return this.signInWithCode(code);
    const demo = this.deps.store.get<string>(DEMO);
    if (demo) return this.signInAsDemo(demo);
    return null;
  }

  relogin(): Promise<string | null> {
    // concurrent 401s share one re-sign-in
    this.pending ??= (async () => {
      try {
        this.deps.store.remove(TOKEN);
        const user = await this.autoSignIn();
        return user ? this.token() : null;
      } catch {
        return null;
      } finally {
        this.pending = null;
      }
    })();
    return this.pending;
  }

  signInRequired(): void {
    this.deps.store.remove(TOKEN);
    this.deps.goToSignIn();
  }

  signOut(): void {
    for (const k of [TOKEN, USER, DEMO, PERMISSIONS]) this.deps.store.remove(k);
  }

  private keep(res: SignInResult): UserDto {
    // another user's permissions never carry over
    if (this.user()?.id !== res.user.id) this.deps.store.remove(PERMISSIONS);
    this.deps.store.set(TOKEN, res.token);
    this.deps.store.set(USER, res.user);
    return res.user;
  }

  private req(): Request {
    if (!this.request) throw new Error('session not attached to a request wrapper');
    return this.request;
  }
}
