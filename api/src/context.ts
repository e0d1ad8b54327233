import type { Logger } from 'pino';
import type Koa from 'koa';
import type { Types } from 'mongoose';
import type { ScopeViewer } from '@crm/shared';
import type { AuditChannel } from './modules/audit/audit.model';
import type { UserDoc } from './modules/org/user.model';

/** Who is acting, resolved once per request by the auth middleware. */
export interface Actor {
  user: UserDoc;
  viewer: ScopeViewer<Types.ObjectId>;
}

/** Passed from the edge (HTTP, bot, jobs) into services: who, through which channel, under which request id. */
export interface RequestMeta {
  requestId: string;
  channel: AuditChannel;
  actorId: Types.ObjectId | null;
  /** The actor's name at the time, kept on audit entries (the log stays readable after a rename or a removal). */
  actorName?: string;
}

export interface AppState {
  requestId: string;
  log: Logger;
  actor?: Actor;
  meta: RequestMeta;
  /** Parsed, validated input, set by validate(): handlers read only these. */
  input: { body?: unknown; query?: unknown; params?: unknown };
  /** `<userId>:<Idempotency-Key>` on record-keyed creates (modules/idempotency): the service writes it on the record. */
  idempotencyKey?: string;
}

export type AppContext = Koa.ParameterizedContext<AppState>;
export type AppMiddleware = Koa.Middleware<AppState>;
