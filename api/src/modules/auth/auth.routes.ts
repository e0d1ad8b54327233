import Router from '@koa/router';
import { DATA_SCOPE_LABELS, PERMISSIONS, can, devLoginBody } from '@crm/shared';
import type { z } from 'zod';
import type { AppMiddleware, AppState } from '../../context';
import { AppError, CommonErrorCode } from '../../errors/app-error';
import { validate } from '../../middleware/validate';
import type { AuditService } from '../audit/audit.service';
import { toUserDto } from '../org/org.dto';
import type { OrgService } from '../org/org.service';
import type { TokenService } from './token.service';

export interface AuthRoutesDeps {
  devLogin: boolean;
  tokens: TokenService;
  org: OrgService;
  audit: AuditService;
  authenticated: AppMiddleware;
}

export function authRoutes(deps: AuthRoutesDeps): Router<AppState> {
  const router = new Router<AppState>();

  /** Development sign-in by WeCom userid. Off unless DEV_LOGIN is on (default only with the embedded database). */
  router.post('/auth/dev-login', validate({ body: devLoginBody }), async (ctx) => {
    if (!deps.devLogin) throw new AppError(404, CommonErrorCode.NOT_FOUND, '开发登录未开启（DEV_LOGIN=off）');
    const { login } = ctx.state.input.body as z.infer<typeof devLoginBody>;
    const user = await deps.org.findActiveUserByPlatformId('wecom', login);
    if (!user) throw new AppError(401, CommonErrorCode.UNAUTHENTICATED, `没有在职用户 ${login}`);
    const { token, expiresAt } = deps.tokens.issue(String(user._id));
    ctx.state.meta.actorId = user._id;
    await deps.audit.record(ctx.state.meta, { action: 'auth.dev-login', entityType: 'user', entityId: user._id, actorName: user.name });
    ctx.body = { token, expiresAt, user: toUserDto(user.toObject()) };
  });

  router.get('/me', deps.authenticated, (ctx) => {
    const { user, viewer } = ctx.state.actor!;
    ctx.body = {
      user: toUserDto(user.toObject()),
      roles: user.roles,
      scope: { type: viewer.scope, label: DATA_SCOPE_LABELS[viewer.scope] },
      permissions: PERMISSIONS.filter((p) => can(user.roles, p)),
    };
  });

  return router;
}
