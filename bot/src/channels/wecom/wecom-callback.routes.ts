import Router from '@koa/router';
import getRawBody from 'raw-body';
import type { Logger } from 'pino';
import type { AppState } from '@crm/api';
import type { Inbound } from '../../core/receiver';
import { openCallback, WeComCallbackError, type CallbackSecrets } from './wecom-crypto';
import type { BotEvent } from '../../core/bot-event';
import { tapCode, toBotEvent } from './wecom-event';
import { MAX_CALLBACK_BYTES, parseWeComXml, UnsafeXmlError } from './wecom-xml';

export interface WeComCallbackOptions {
  secrets: CallbackSecrets;
  agentId: number;
  windowSeconds: number;
  now?: () => number;
  /** A verified card click's fresh response code, handed to the adapter before the click is acknowledged. */
  onTapCode?: (tap: { platformUserId: string; taskId: string; responseCode: string }) => Promise<void>;
  /** A `change_contact` event (a member or department created, updated or deleted): the directory sync's trigger. */
  onDirectoryChange?: (change: { changeType: string; userid?: string; departmentId?: string }) => void;
}

/**
 * WeCom callback URL: GET answers the URL check with the decrypted echostr; POST verifies and decrypts
 * the packet, acknowledges at once with an empty 200, and hands the event to the bot afterwards.
 */
export function wecomCallbackRoutes(inbound: Inbound, opts: WeComCallbackOptions, log: Logger): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/bot/wecom' });
  const now = opts.now ?? (() => Date.now());
  const refuse = (ctx: { status: number; body: unknown }, status: number, reason: string, message: string) => {
    log.warn({ reason }, `WeCom callback refused: ${message}`);
    ctx.status = status;
    ctx.body = { error: { code: `WECOM_${reason.toUpperCase()}`, message } };
  };

  router.get('/callback', (ctx) => {
    const q = ctx.query as Record<string, string | undefined>;
    try {
      const plain = openCallback(
        opts.secrets,
        { msgSignature: q.msg_signature, timestamp: q.timestamp, nonce: q.nonce, encrypt: q.echostr },
        { nowMs: now(), windowSeconds: opts.windowSeconds },
      );
      ctx.type = 'text/plain';
      ctx.body = plain;
    } catch (err) {
      if (err instanceof WeComCallbackError) return refuse(ctx, err.reason === 'missing_params' ? 400 : 401, err.reason, err.message);
      throw err;
    }
  });

  // every callback is an acknowledgement in progress: queued bot work yields to them during bursts
  router.use((_ctx, next) => inbound.acknowledging(next));

  router.post('/callback', async (ctx) => {
    const q = ctx.query as Record<string, string | undefined>;
    let raw: string;
    try {
      raw = await getRawBody(ctx.req, { limit: MAX_CALLBACK_BYTES, encoding: 'utf8' });
    } catch (err) {
      const tooLarge = (err as { type?: string }).type === 'entity.too.large';
      return refuse(ctx, tooLarge ? 413 : 400, tooLarge ? 'too_large' : 'bad_body', tooLarge ? 'callback body over 64 KB' : 'unreadable body');
    }
    let plain: string;
    let event: BotEvent | null;
    let tap: ReturnType<typeof tapCode>;
    try {
      const outer = parseWeComXml(raw);
      plain = openCallback(
        opts.secrets,
        { msgSignature: q.msg_signature, timestamp: q.timestamp, nonce: q.nonce, encrypt: typeof outer.Encrypt === 'string' ? outer.Encrypt : undefined },
        { nowMs: now(), windowSeconds: opts.windowSeconds },
      );
      const inner = parseWeComXml(plain);
      const otherAgent = Boolean(inner.AgentID) && String(inner.AgentID) !== String(opts.agentId);
      if (otherAgent) log.warn({ agentId: inner.AgentID }, 'WeCom callback for another AgentID ignored');
      event = otherAgent ? null : toBotEvent(inner, new Date(now()));
      tap = event ? tapCode(inner) : null;
      if (inner.MsgType === 'event' && inner.Event === 'change_contact' && opts.onDirectoryChange)
        opts.onDirectoryChange({
          changeType: String(inner.ChangeType ?? ''),
          userid: typeof inner.UserID === 'string' ? inner.UserID : undefined,
          departmentId: typeof inner.Id === 'string' ? inner.Id : undefined,
        });
    } catch (err) {
      if (err instanceof WeComCallbackError) return refuse(ctx, err.reason === 'missing_params' ? 400 : 401, err.reason, err.message);
      if (err instanceof UnsafeXmlError) return refuse(ctx, 400, 'bad_xml', err.message);
      throw err;
    }
    // the click's code is kept first (a retried callback brings back no spent code), then the event
    if (tap && opts.onTapCode) await opts.onTapCode(tap);
    // stored, then acknowledged with an empty 200 (WeCom waits 5 s, then retries); handled after the response
    await inbound.receive(event, () => {
      ctx.status = 200;
      ctx.body = '';
    });
  });

  return router;
}
