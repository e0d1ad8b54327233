import type Router from '@koa/router';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from '@crm/config';
import type { Role } from '@crm/shared';
import type { AppState, HandoverPlatform, Metrics, ReadinessCheck, Services } from '@crm/api';
import { BotApp } from './core/bot-app';
import type { SandboxAdapter } from './channels/sandbox/sandbox.adapter';
import { registerCrmListeners } from './listeners/crm.listeners';
import { registerChatListeners } from './listeners/chat.listeners';
import { ChatReminderSender } from './reminders/reminder-cards';
import { registerReminderListeners } from './reminders/reminder.listeners';
import { ReminderCardStore } from './reminders/reminder-card.store';
import { WorkQueue } from './core/work-queue';
import type { Channel } from './core/channel';
import { Inbound, type Receiver } from './core/receiver';
import { CHANNELS } from './channels/registry';
import type { WeComAdapter } from './channels/wecom/wecom.adapter';
import type { BudgetWindow } from './outbound/send-budget';
import { DingTalkStreamTransport } from './channels/dingtalk/dingtalk-stream.transport';
import type { DingTalkAdapter } from './channels/dingtalk/dingtalk.adapter';
import { Notifier } from './outbound/notifier';
import { ApprovalCards, registerApprovalActions } from './approvals/approval-cards';
import { HandoverChat, handoverPlatform } from './handover/handover-chat';
import { PoolChat, registerPoolListeners } from './pool/pool-chat';

export type { BotEvent, Card, ChannelAdapter, OutboundMessage } from './core/bot-event';
export { BotApp } from './core/bot-app';
export { createDirectorySource } from './channels/directory-source';
export type { Receiver } from './core/receiver';
export { Notifier, type Delivery } from './outbound/notifier';
export { ReportPush } from './reports/report-push';

export interface Bot {
  app: BotApp;
  sandbox: SandboxAdapter | null;
  wecom: WeComAdapter | null;
  dingtalk: DingTalkAdapter | null;
  /** Stream mode: started by the server (`start()`), not by tests, which drive its handlers directly. */
  dingtalkStream: DingTalkStreamTransport | null;
  /** Every channel's receiver: `start()` after listening (a socket connects), `stop()` on shutdown. */
  receivers: Receiver[];
  routers: Array<Router<AppState>>;
  /** Callback work still running after its acknowledgement (await on shutdown and in tests). */
  inFlight: WorkQueue;
  /** Proactive messages to CRM users (reminders, approvals, digests) on their channel. */
  notifier: Notifier;
  /** The reminders' way into chat (the scheduler in api/ sends through it). */
  reminderSender: ChatReminderSender;
  /** Approval cards and notices (the domain's ApprovalEvents port). */
  approvals: ApprovalCards;
  /** What /readyz reports for the platforms: each configured one's last token fetch (cached state). */
  readiness: ReadinessCheck[];
  /** Hand-overs: WeCom's transfer APIs (the domain's HandoverPlatform port) and progress / report in chat (HandoverEvents). */
  handover: { platform: HandoverPlatform; chat: HandoverChat };
  /** Pools and lead assignment in chat: reclaim warnings, returns, new-lead cards (the domain's PoolEvents / AssignmentEvents ports). */
  pool: PoolChat;
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
  /** Counts inbound events (stored, handled, failed) and send-budget waits. */
  metrics?: Metrics;
}): Bot {
  const app = new BotApp({
    conn: deps.conn,
    services: deps.services,
    logger: deps.logger.child({ component: 'bot' }),
    publicBaseUrl: deps.config.http.publicBaseUrl,
    metrics: deps.metrics,
    eventLeaseMs: deps.config.leases.chatEventMs,
  });
  registerCrmListeners(app);
  const notifier = new Notifier(app, deps.services.org);
  const appUrl = (path: string) => `${deps.config.http.publicBaseUrl}${path}`;
  const approvals = new ApprovalCards(deps.conn, deps.services.approvals, deps.services.org, notifier, appUrl, deps.logger.child({ component: 'approvals' }));
  // the bot's record of the reminder cards it sent (where each went)
  const reminderCards = new ReminderCardStore(deps.conn);
  const arrival = { hours: deps.config.reminders.hours, digestMinute: deps.config.reminders.digestMinute };
  const reminderChat = registerReminderListeners(app, {
    cards: reminderCards,
    businessTz: deps.config.businessTz,
    now: deps.now ?? (() => new Date()),
    notifier,
    logger: deps.logger.child({ component: 'reminders' }),
    arrival,
  });
  // the intent layer: every message no command or question took (follow-ups at any time, the day, the fallback)
  registerChatListeners(app, {
    conn: deps.conn,
    businessTz: deps.config.businessTz,
    now: deps.now ?? (() => new Date()),
    arrival,
    settleReminder: reminderChat.settleReminder,
    issueApprovalCard: (a, userId) => approvals.issueOnRequest(a, userId),
  });
  const botLog = deps.logger.child({ component: 'bot' });
  const inFlight = new WorkQueue({ concurrency: deps.workConcurrency ?? 8 }, (err) => botLog.error({ err }, 'bot work failed'));
  // every configured channel contributes its adapter, its receiver (through the one inbound path) and identity field
  const inbound = new Inbound(app, inFlight);
  const channelDeps = {
    conn: deps.conn,
    org: deps.services.org,
    logger: deps.logger,
    config: deps.config,
    inbound,
    wecomBudget: deps.wecomBudget,
    now: deps.now,
    metrics: deps.metrics,
    mayRun: (text: string, roles: readonly Role[]) => app.mayRun(text, roles),
    onDirectoryChange: (platform: 'wecom' | 'dingtalk', change: { changeType: string; userid?: string; departmentId?: string }) =>
      void deps.services.directory.changed(platform, change),
  };
  const channels = CHANNELS.map((make) => make(channelDeps)).filter((c): c is Channel => c !== null);
  for (const channel of channels) app.use(channel);
  const receivers = channels.map((c) => c.receiver);
  const routers = receivers.flatMap((r) => r.routers);
  const sandbox = (app.adapter('sandbox') as SandboxAdapter | undefined) ?? null;
  const wecom = (app.adapter('wecom') as WeComAdapter | undefined) ?? null;
  const dingtalk = (app.adapter('dingtalk') as DingTalkAdapter | undefined) ?? null;
  const dingtalkStream = receivers.find((r): r is DingTalkStreamTransport => r instanceof DingTalkStreamTransport) ?? null;
  const reminderSender = new ChatReminderSender(notifier, reminderCards, deps.services.org, deps.config.businessTz, appUrl, deps.now);
  registerApprovalActions(app, deps.services.approvals, appUrl);
  registerPoolListeners(app, { now: deps.now ?? (() => new Date()), businessTz: deps.config.businessTz });
  const pool = new PoolChat(notifier, appUrl, deps.config.businessTz, deps.logger.child({ component: 'pool' }));
  // each configured platform's token state, for /readyz (named `wecom` / `dingtalk`)
  const readiness: ReadinessCheck[] = channels.flatMap((c) => (c.tokenStatus ? [{ name: c.name, state: c.tokenStatus }] : []));
  const handover = { platform: handoverPlatform(channels), chat: new HandoverChat(notifier, appUrl, deps.logger.child({ component: 'handover' })) };
  return { app, sandbox, wecom, dingtalk, dingtalkStream, receivers, routers, inFlight, notifier, reminderSender, approvals, readiness, handover, pool };
}
