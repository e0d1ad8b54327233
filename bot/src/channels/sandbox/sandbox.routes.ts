import Router from '@koa/router';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { isDeliverable, isQuietMinute, nextDeliverable, wallClock, type BusinessHours, type Role } from '@crm/shared';
import { loopbackOnly, inlineScriptsOf, pageSecurityHeaders, validate, type AppState, type OrgService } from '@crm/api';
import type { BotEvent } from '../../core/bot-event';
import type { Inbound } from '../../core/receiver';
import { SANDBOX_PAGE } from './sandbox.page';
import type { SandboxAdapter } from './sandbox.adapter';

const user = z.string().trim().min(1).max(64);
const messageBody = z.strictObject({ user, text: z.string().trim().min(1).max(2000) });
const actionBody = z.strictObject({ user, key: z.string().min(1).max(1024), taskId: z.string().max(128), label: z.string().max(40).optional() });
const conversationQuery = z.strictObject({ user });

const WEEKDAYS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/**
 * The one-line banner while pushes are held (quiet hours, a non-working day): when they will arrive, e.g.
 * "静默时段：提醒将于 08:00 送达"; null while pushes go out.
 */
export function heldPushesNotice(now: Date, hours: BusinessHours, tz: string): string | null {
  if (isDeliverable(now, hours, tz)) return null;
  const at = nextDeliverable(now, hours, tz);
  const w = wallClock(at, tz);
  const clock = `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
  const when = at.getTime() - now.getTime() < 24 * 3600_000 ? clock : `${WEEKDAYS[w.weekday]} ${clock}`;
  const nowClock = wallClock(now, tz);
  const why = isQuietMinute(nowClock.hour * 60 + nowClock.minute, hours) ? '静默时段' : '非工作日';
  return `${why}：提醒将于 ${when} 送达`;
}

export interface SandboxRouteOptions {
  /** Serve callers on other machines too (SANDBOX_REMOTE). */
  allowRemote?: boolean;
  /** The reminder policy's hours and zone, for the banner while pushes are held. */
  hours?: BusinessHours;
  businessTz?: string;
  now?: () => Date;
  /** Whether these roles may run the command a text starts with: each user is offered only their own suggestions. */
  mayRun?: (text: string, roles: readonly Role[]) => boolean;
}

/** The suggestion chips under the input; a user sees those their roles may run (a partner: no 新客户). */
export const SANDBOX_HINTS = ['帮助', '查 zs', '查 8000', '新客户 杭州云帆科技 王磊 13900001111'] as const;

/**
 * The sandbox chat (development and the embedded database only): pick a demo user, talk to the bot,
 * tap card buttons. Events go through the same inbound path and BotApp as WeCom and DingTalk.
 */
export function sandboxRoutes(inbound: Inbound, sandbox: SandboxAdapter, org: OrgService, opts: SandboxRouteOptions = {}): Router<AppState> {
  const now = opts.now ?? (() => new Date());
  // The same inbound path as the platforms (stored, acknowledged, queued); the page is answered once the
  // queued handling is done, so the reply is there when it polls.
  const deliver = async (event: BotEvent): Promise<'handled' | 'duplicate' | 'unknown-user'> => {
    const { handled } = await inbound.receive(event, () => undefined);
    return handled ? await handled : 'duplicate';
  };
  const router = new Router<AppState>({ prefix: '/sandbox' });
  // loopback only unless SANDBOX_REMOTE; the page's own inline script allowed by hash
  router.use(loopbackOnly(opts.allowRemote ?? false), pageSecurityHeaders({ inlineScripts: inlineScriptsOf(SANDBOX_PAGE) }));

  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = SANDBOX_PAGE;
  });

  router.get('/api/users', async (ctx) => {
    const users = await org.weComLogins(1000);
    const hints = (roles: readonly Role[]) => SANDBOX_HINTS.filter((h) => opts.mayRun?.(h, roles) ?? true);
    ctx.body = { items: users.map((u) => ({ login: u.login, name: u.name, title: u.title ?? '', roles: u.roles, hints: hints(u.roles) })) };
  });

  router.get('/api/conversation', validate({ query: conversationQuery }), async (ctx) => {
    const { user: login } = ctx.state.input.query as z.infer<typeof conversationQuery>;
    const rows = await sandbox.conversation(login);
    ctx.body = {
      items: rows.map((r) => ({ id: String(r._id), direction: r.direction, message: r.message, html: r.html ?? null, at: r.at })),
      held: opts.hours ? heldPushesNotice(now(), opts.hours, opts.businessTz ?? 'Asia/Shanghai') : null,
    };
  });

  router.post('/api/messages', validate({ body: messageBody }), async (ctx) => {
    const { user: login, text } = ctx.state.input.body as z.infer<typeof messageBody>;
    await sandbox.recordInbound(login, text);
    const result = await deliver({ channel: 'sandbox', platformUserId: login, type: 'message', text, dedupeKey: randomUUID(), receivedAt: new Date() });
    ctx.body = { result };
  });

  router.post('/api/actions', validate({ body: actionBody }), async (ctx) => {
    const { user: login, key, taskId, label } = ctx.state.input.body as z.infer<typeof actionBody>;
    // a tap shows as a small system line ("你点了 完成"), not as a message the user typed
    if (label) await sandbox.recordTap(login, label);
    // a tap on one card's button is delivered once: the same key and task again is a duplicate
    const result = await deliver({
      channel: 'sandbox',
      platformUserId: login,
      type: 'action',
      action: { key, taskId },
      dedupeKey: `${taskId}:${key}`,
      receivedAt: new Date(),
    });
    ctx.body = { result };
  });

  return router;
}
