import Router from '@koa/router';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { AppState } from '@crm/api';
import type { BotEvent } from '../../core/bot-event';
import type { Inbound } from '../../core/receiver';
import { DingTalkCallbackError, openDingTalkEvent, robotSignatureValid, sealSuccess, type DingTalkEventSecrets } from './dingtalk-crypto';
import {
  cardCallbackToEvent,
  orgChangeOf,
  robotMessageToEvent,
  type DingTalkCardCallback,
  type DingTalkRobotMessage,
  type DirectoryChange,
} from './dingtalk-event';

/**
 * A decrypted HTTP push as a BotEvent: a card button click (the card platform's callback, sent here for cards
 * created with `callbackType: 'HTTP'`), or null for events the bot does not handle (check_url and the like).
 * DingTalk's HTTP pushes carry no message id, and a push answered late is pushed again with the same
 * content, so a click's dedupe key is the hash of its decrypted content.
 */
export function dingtalkPushToEvent(json: string, receivedAt: Date): BotEvent | null {
  let payload: DingTalkCardCallback & { EventType?: string };
  try {
    payload = JSON.parse(json) as typeof payload;
  } catch {
    return null;
  }
  if (!payload.outTrackId) return null;
  return cardCallbackToEvent(payload, `http:${createHash('sha1').update(json).digest('hex')}`, receivedAt);
}

/**
 * DingTalk HTTP mode (the alternative to stream mode) at one URL: encrypted pushes (event subscription and
 * card callbacks; `signature`, `timestamp`, `nonce` in the query, `{ encrypt }` in the body) answered with
 * the encrypted `success` well inside 1,500 ms, and robot messages signed with the AppSecret (`timestamp` and
 * `sign` headers) answered `{}`. Both go through the one inbound path: stored, then answered, then handled.
 */
export function dingtalkCallbackRoutes(
  inbound: Inbound,
  opts: {
    secrets: DingTalkEventSecrets;
    appSecret: string;
    windowSeconds: number;
    now?: () => number;
    /** An org event (user_add_org … org_dept_remove): the directory sync's trigger. */
    onDirectoryChange?: (change: DirectoryChange) => void;
  },
  log: Logger,
): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/bot/dingtalk' });
  const now = opts.now ?? (() => Date.now());

  // every callback is an acknowledgement in progress: queued bot work yields to them during bursts
  router.use((_ctx, next) => inbound.acknowledging(next));

  router.post('/callback', async (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const q = ctx.query as Record<string, string | undefined>;
    if (typeof body.encrypt === 'string') {
      let json: string;
      try {
        json = openDingTalkEvent(
          opts.secrets,
          { signature: q.signature ?? q.msg_signature, timestamp: q.timestamp ?? q.timeStamp, nonce: q.nonce, encrypt: body.encrypt },
          { nowMs: now(), windowSeconds: opts.windowSeconds },
        );
      } catch (err) {
        if (err instanceof DingTalkCallbackError) {
          log.warn({ reason: err.reason }, `DingTalk callback refused: ${err.message}`);
          ctx.status = err.reason === 'missing_params' ? 400 : 401;
          ctx.body = { error: { code: `DINGTALK_${err.reason.toUpperCase()}`, message: err.message } };
          return;
        }
        throw err;
      }
      const event = dingtalkPushToEvent(json, new Date(now()));
      if (!event) {
        let payload: unknown = null;
        try {
          payload = JSON.parse(json);
        } catch {
          // not JSON: nothing to act on, answered success all the same
        }
        log.info({ eventType: (payload as { EventType?: string } | null)?.EventType }, 'DingTalk event received');
        const change = orgChangeOf(undefined, payload);
        if (change && opts.onDirectoryChange) opts.onDirectoryChange(change);
      }
      await inbound.receive(event, () => {
        ctx.body = sealSuccess(opts.secrets, now());
      });
      return;
    }
    if (!robotSignatureValid(opts.appSecret, ctx.get('timestamp'), ctx.get('sign'), now())) {
      log.warn('DingTalk robot message refused: bad or missing sign header');
      ctx.status = 401;
      ctx.body = { error: { code: 'DINGTALK_BAD_SIGNATURE', message: 'robot message signature invalid: check DINGTALK_CLIENT_SECRET' } };
      return;
    }
    await inbound.receive(robotMessageToEvent(body as DingTalkRobotMessage, new Date(now())), () => {
      ctx.body = {};
    });
  });
  return router;
}
