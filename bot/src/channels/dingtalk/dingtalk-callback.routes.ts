import Router from '@koa/router';
import type { Logger } from 'pino';
import type { AppState } from '../../../../api/src/context';
import type { BotApp } from '../../core/bot-app';
import type { WorkQueue } from '../../core/work-queue';
import { DingTalkCallbackError, openDingTalkEvent, robotSignatureValid, sealSuccess, type DingTalkEventSecrets } from './dingtalk-crypto';
import { robotMessageToEvent, type DingTalkRobotMessage } from './dingtalk-event';

/**
 * DingTalk HTTP mode (the alternative to stream mode): encrypted event pushes answered with the
 * encrypted `success` well inside 1,500 ms, and robot messages signed with the AppSecret.
 */
export function dingtalkCallbackRoutes(
  bot: BotApp,
  opts: { secrets: DingTalkEventSecrets; appSecret: string; windowSeconds: number; now?: () => number },
  log: Logger,
  work: WorkQueue,
): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/bot/dingtalk' });
  const now = opts.now ?? (() => Date.now());

  // every callback is an acknowledgement in progress: queued bot work yields to them during bursts
  router.use((_ctx, next) => work.acknowledging(next));

  router.post('/callback', async (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const q = ctx.query as Record<string, string | undefined>;
    if (typeof body.encrypt === 'string') {
      try {
        const json = openDingTalkEvent(
          opts.secrets,
          { signature: q.signature ?? q.msg_signature, timestamp: q.timestamp ?? q.timeStamp, nonce: q.nonce, encrypt: body.encrypt },
          { nowMs: now(), windowSeconds: opts.windowSeconds },
        );
        log.info({ eventType: (JSON.parse(json) as { EventType?: string }).EventType }, 'DingTalk event received');
      } catch (err) {
        if (err instanceof DingTalkCallbackError) {
          log.warn({ reason: err.reason }, `DingTalk callback refused: ${err.message}`);
          ctx.status = err.reason === 'missing_params' ? 400 : 401;
          ctx.body = { error: { code: `DINGTALK_${err.reason.toUpperCase()}`, message: err.message } };
          return;
        }
        throw err;
      }
      ctx.body = sealSuccess(opts.secrets, now());
      return;
    }
    if (!robotSignatureValid(opts.appSecret, ctx.get('timestamp'), ctx.get('sign'), now())) {
      log.warn('DingTalk robot message refused: bad or missing sign header');
      ctx.status = 401;
      ctx.body = { error: { code: 'DINGTALK_BAD_SIGNATURE', message: 'robot message signature invalid: check DINGTALK_CLIENT_SECRET' } };
      return;
    }
    const event = robotMessageToEvent(body as DingTalkRobotMessage, new Date(now()));
    if (event && (await bot.accept(event)) === 'accepted') work.push(() => bot.process(event));
    ctx.body = {};
  });
  return router;
}
