import type { Permission } from '@crm/shared';
import { can } from '@crm/shared';
import type { AppMiddleware } from '../context';
import { forbidden, unauthenticated } from '../errors/app-error';
import type { TokenService } from '../modules/auth/token.service';
import type { OrgService } from '../modules/org/org.service';

/**
 * Requires `Authorization: Bearer <token>`; loads the user on every request so that a deactivated
 * user is locked out at once, and resolves their data scope for the services.
 */
export function requireAuth(tokens: TokenService, org: OrgService): AppMiddleware {
  return async (ctx, next) => {
    const header = ctx.get('Authorization');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthenticated();
    const { sub } = tokens.verify(match[1]!);
    const user = await org.findActiveUserById(sub);
    if (!user) throw unauthenticated('账号不存在或已停用');
    ctx.state.actor = { user, viewer: await org.resolveViewer(user) };
    ctx.state.meta.actorId = user._id;
    ctx.state.meta.actorName = user.name;
    ctx.state.log = ctx.state.log.child({ userId: String(user._id) });
    await next();
  };
}

export function requirePermission(permission: Permission): AppMiddleware & { permission: Permission } {
  const middleware: AppMiddleware = async (ctx, next) => {
    const actor = ctx.state.actor;
    if (!actor) throw unauthenticated();
    if (!can(actor.user.roles, permission)) throw forbidden();
    await next();
  };
  return Object.assign(middleware, { permission });
}
