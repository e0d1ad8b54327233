import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from '@crm/config';
import type { Role } from '@crm/shared';
import type { Metrics, OrgService } from '@crm/api';
import type { Channel } from '../core/channel';
import { httpReceiver, type Inbound } from '../core/receiver';
import { MongoSendLedger } from '../outbound/send-ledger';
import { SendBudget, WECOM_MEMBER_WINDOWS, type BudgetWindow } from '../outbound/send-budget';
import { dingtalkCallbackRoutes } from './dingtalk/dingtalk-callback.routes';
import { DingTalkClient } from './dingtalk/dingtalk-client';
import type { DirectoryChange } from './dingtalk/dingtalk-event';
import { DingTalkStreamTransport } from './dingtalk/dingtalk-stream.transport';
import { DingTalkAdapter } from './dingtalk/dingtalk.adapter';
import { SandboxAdapter } from './sandbox/sandbox.adapter';
import { sandboxRoutes } from './sandbox/sandbox.routes';
import { wecomCallbackRoutes } from './wecom/wecom-callback.routes';
import { WeComClient } from './wecom/wecom-client';
import { WeComExternalContacts } from './wecom/wecom-external-contact';
import { WeComCardCodeStore } from './wecom/wecom-card-codes';
import { WeComAdapter } from './wecom/wecom.adapter';

/** What a channel may need to build its adapter and receiver. */
export interface ChannelDeps {
  conn: Connection;
  org: OrgService;
  logger: Logger;
  config: Config;
  inbound: Inbound;
  wecomBudget?: BudgetWindow[];
  now?: () => Date;
  metrics?: Metrics;
  /** Whether these roles may run the command a text starts with (BotApp.mayRun): the sandbox's suggestions. */
  mayRun?: (text: string, roles: readonly Role[]) => boolean;
  /** A platform's directory changed (WeCom change_contact, DingTalk org events): the directory sync runs. */
  onDirectoryChange?: (platform: 'wecom' | 'dingtalk', change: { changeType: string; userid?: string; departmentId?: string }) => void;
}

/** WeCom (企业微信) app: template cards within each member's send budget; callbacks at /bot/wecom/callback. */
export function wecomChannel(deps: ChannelDeps): Channel | null {
  const w = deps.config.wecom;
  if (!w) return null;
  const client = new WeComClient(w, deps.logger.child({ component: 'wecom' }), {
    onCall: (endpoint, errcode) => deps.metrics?.platformCalls.inc({ channel: 'wecom', endpoint, errcode }),
  });
  const budget = new SendBudget(deps.wecomBudget ?? WECOM_MEMBER_WINDOWS, undefined, new MongoSendLedger(deps.conn), (ms) =>
    deps.metrics?.sendBudgetWaits.observe({ channel: 'wecom' }, ms / 1000),
  );
  const adapter = new WeComAdapter(client, w.agentId, new WeComCardCodeStore(deps.conn), budget);
  const secrets = { token: w.token, encodingAesKey: w.encodingAesKey, corpId: w.corpId };
  const routes = wecomCallbackRoutes(
    deps.inbound,
    {
      secrets,
      agentId: w.agentId,
      windowSeconds: w.callbackWindowSeconds,
      onTapCode: (tap) => adapter.tapped(tap.platformUserId, tap.taskId, tap.responseCode),
      onDirectoryChange: deps.onDirectoryChange ? (change) => deps.onDirectoryChange!('wecom', change) : undefined,
    },
    deps.logger.child({ component: 'wecom-callback' }),
  );
  return {
    name: 'wecom',
    identity: 'wecom',
    preference: 1,
    adapter,
    receiver: httpReceiver('wecom', [routes]),
    tokenStatus: () => client.tokenStatus(),
    externalContacts: new WeComExternalContacts(client),
  };
}

/** DingTalk (钉钉) app robot: stream mode (an outbound socket) or HTTP mode (callbacks at /bot/dingtalk/callback). */
export function dingtalkChannel(deps: ChannelDeps): Channel | null {
  const d = deps.config.dingtalk;
  if (!d) return null;
  const client = new DingTalkClient(d, deps.logger.child({ component: 'dingtalk' }), {
    onCall: (endpoint, errcode) => deps.metrics?.platformCalls.inc({ channel: 'dingtalk', endpoint, errcode }),
  });
  const adapter = new DingTalkAdapter(client, {
    cardTemplateId: d.cardTemplateId,
    agentId: d.agentId,
    businessTz: deps.config.businessTz,
    // card clicks come back the way messages do: over the socket, or as HTTP pushes to the callback URL
    cardCallback: d.mode === 'stream' ? { type: 'STREAM' } : { type: 'HTTP', routeKey: d.clientId },
  });
  // DingTalk org events (通讯录事件, over the socket or as HTTP pushes) start a directory sync, as WeCom's change_contact does
  const onDirectoryChange = deps.onDirectoryChange ? (c: DirectoryChange) => deps.onDirectoryChange!('dingtalk', c) : undefined;
  const receiver =
    d.mode === 'stream'
      ? new DingTalkStreamTransport(deps.inbound, d, deps.logger.child({ component: 'dingtalk-stream' }), onDirectoryChange)
      : httpReceiver('dingtalk', [
          dingtalkCallbackRoutes(
            deps.inbound,
            { secrets: { token: d.token!, aesKey: d.aesKey!, ownerKey: d.clientId }, appSecret: d.clientSecret, windowSeconds: 3600, onDirectoryChange },
            deps.logger.child({ component: 'dingtalk-callback' }),
          ),
        ]);
  return { name: 'dingtalk', identity: 'dingtalk', preference: 2, adapter, receiver, tokenStatus: () => client.tokenStatus() };
}

/** The local web chat (development): speaks as the demo users' WeCom userids. */
export function sandboxChannel(deps: ChannelDeps): Channel | null {
  if (!deps.config.sandbox) return null;
  const adapter = new SandboxAdapter(deps.conn);
  const routes = sandboxRoutes(deps.inbound, adapter, deps.org, {
    allowRemote: deps.config.sandboxRemote,
    hours: deps.config.reminders.hours,
    businessTz: deps.config.businessTz,
    now: deps.now,
    mayRun: deps.mayRun,
  });
  return { name: 'sandbox', identity: 'wecom', preference: 9, adapter, receiver: httpReceiver('sandbox', [routes]) };
}

/** Every channel the bot knows; each builds itself when configured. */
export const CHANNELS: ReadonlyArray<(deps: ChannelDeps) => Channel | null> = [wecomChannel, dingtalkChannel, sandboxChannel];
