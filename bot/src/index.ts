import type Router from '@koa/router';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from '@crm/config';
import type { AppState } from '../../api/src/context';
import type { Services } from '../../api/src/services';
import { BotApp } from './core/bot-app';
import { SandboxAdapter } from './channels/sandbox/sandbox.adapter';
import { sandboxRoutes } from './channels/sandbox/sandbox.routes';
import { registerCrmListeners, unknownText } from './listeners/crm.listeners';
import { ChatReminderSender } from './reminders/reminder-cards';
import { registerReminderListeners } from './reminders/reminder.listeners';
import { wecomCallbackRoutes } from './channels/wecom/wecom-callback.routes';
import { WorkQueue } from './core/work-queue';
import { WeComClient } from './channels/wecom/wecom-client';
import { WeComAdapter } from './channels/wecom/wecom.adapter';
import { MongoSendLedger } from './outbound/send-ledger';
import { SendBudget, WECOM_MEMBER_WINDOWS, type BudgetWindow } from './outbound/send-budget';
import { dingtalkCallbackRoutes } from './channels/dingtalk/dingtalk-callback.routes';
import { DingTalkClient } from './channels/dingtalk/dingtalk-client';
import { DingTalkStreamTransport } from './channels/dingtalk/dingtalk-stream.transport';
import { DingTalkAdapter } from './channels/dingtalk/dingtalk.adapter';
import { Notifier } from './outbound/notifier';
import { ApprovalCards, registerApprovalActions } from './approvals/approval-cards';

export type { BotEvent, Card, ChannelAdapter, OutboundMessage } from './core/bot-event';
export { BotApp } from './core/bot-app';
export { Notifier, type Delivery } from './outbound/notifier';

export interface Bot {
  app: BotApp;
  sandbox: SandboxAdapter | null;
  wecom: WeComAdapter | null;
  dingtalk: DingTalkAdapter | null;
  /** Stream mode: started by the server (`start()`), not by tests, which drive its handlers directly. */
  dingtalkStream: DingTalkStreamTransport | null;
  routers: Array<Router<AppState>>;
  /** Callback work still running after its acknowledgement (await on shutdown and in tests). */
  inFlight: WorkQueue;
  /** Proactive messages to CRM users (reminders, approvals, digests) on their channel. */
  notifier: Notifier;
  /** The reminders' way into chat (the scheduler in api/ sends through it). */
  reminderSender: ChatReminderSender;
  /** Approval cards and notices (the domain's ApprovalEvents port). */
  approvals: ApprovalCards;
}

/** Builds the bot with every configured channel and its HTTP routes. */
export function createBot(deps: {
  conn: Connection;
  services: Services;
  logger: Logger;
  config: Config;
  wecomBudget?: BudgetWindow[];
  workConcurrency?: number;
  /** The clock for dates read from chat ("下周二下午"); tests pin it. */
  now?: () => Date;
}): Bot {
  const app = new BotApp({
    conn: deps.conn,
    services: deps.services,
    logger: deps.logger.child({ component: 'bot' }),
    publicBaseUrl: deps.config.http.publicBaseUrl,
  });
  registerCrmListeners(app);
  const notifier = new Notifier(app, deps.services.org);
  const appUrl = (path: string) => `${deps.config.http.publicBaseUrl}${path}`;
  registerReminderListeners(app, {
    businessTz: deps.config.businessTz,
    now: deps.now ?? (() => new Date()),
    notifier,
    logger: deps.logger.child({ component: 'reminders' }),
    fallback: unknownText,
    arrival: { hours: deps.config.reminders.hours, digestMinute: deps.config.reminders.digestMinute },
  });
  const routers: Array<Router<AppState>> = [];
  const botLog = deps.logger.child({ component: 'bot' });
  const inFlight = new WorkQueue({ concurrency: deps.workConcurrency ?? 8 }, (err) => botLog.error({ err }, 'bot work failed'));
  let sandbox: SandboxAdapter | null = null;
  if (deps.config.sandbox) {
    sandbox = new SandboxAdapter(deps.conn);
    app.use(sandbox);
    routers.push(
      sandboxRoutes(app, sandbox, deps.services.org, {
        allowRemote: deps.config.sandboxRemote,
        hours: deps.config.reminders.hours,
        businessTz: deps.config.businessTz,
        now: deps.now,
      }),
    );
  }
  let wecom: WeComAdapter | null = null;

  if (deps.config.wecom) {
    const w = deps.config.wecom;
    const client = new WeComClient(w, deps.logger.child({ component: 'wecom' }));
    wecom = new WeComAdapter(client, w.agentId, new SendBudget(deps.wecomBudget ?? WECOM_MEMBER_WINDOWS, undefined, new MongoSendLedger(deps.conn)));
    app.use(wecom);
    routers.push(
      wecomCallbackRoutes(
        app,
        { secrets: { token: w.token, encodingAesKey: w.encodingAesKey, corpId: w.corpId }, agentId: w.agentId, windowSeconds: w.callbackWindowSeconds },
        deps.logger.child({ component: 'wecom-callback' }),
        inFlight,
      ),
    );
  }
  let dingtalk: DingTalkAdapter | null = null;
  let dingtalkStream: DingTalkStreamTransport | null = null;
  if (deps.config.dingtalk) {
    const d = deps.config.dingtalk;
    const client = new DingTalkClient(d, deps.logger.child({ component: 'dingtalk' }));
    dingtalk = new DingTalkAdapter(client, { cardTemplateId: d.cardTemplateId, agentId: d.agentId, businessTz: deps.config.businessTz });
    app.use(dingtalk);
    if (d.mode === 'stream') {
      dingtalkStream = new DingTalkStreamTransport(app, d, deps.logger.child({ component: 'dingtalk-stream' }), inFlight);
    } else {
      routers.push(
        dingtalkCallbackRoutes(
          app,
          { secrets: { token: d.token!, aesKey: d.aesKey!, ownerKey: d.clientId }, appSecret: d.clientSecret, windowSeconds: 3600 },
          deps.logger.child({ component: 'dingtalk-callback' }),
          inFlight,
        ),
      );
    }
  }
  const reminderSender = new ChatReminderSender(notifier, deps.services.org, deps.config.businessTz, appUrl, deps.now);
  const approvals = new ApprovalCards(deps.services.approvals, notifier, appUrl, deps.logger.child({ component: 'approvals' }));
  deps.services.approvals.setEvents(approvals);
  registerApprovalActions(app, deps.services.approvals, appUrl);
  return { app, sandbox, wecom, dingtalk, dingtalkStream, routers, inFlight, notifier, reminderSender, approvals };
}
