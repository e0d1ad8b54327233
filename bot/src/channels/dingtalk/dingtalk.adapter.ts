import { createHash } from 'node:crypto';
import { escapeDingTalkMarkdown, joinSafeText, md, renderSafeText, trusted, type SafeText } from '@crm/shared';
import type { Card, CardRef, ChannelAdapter, OutboundMessage, SendOptions, SendResult } from '../../core/bot-event';
import { DingTalkApiError, type DingTalkClient } from './dingtalk-client';

const dayKey = (ms: number, tz: string) => new Intl.DateTimeFormat('en-CA', { timeZone: tz }).format(ms);
const clock = (ms: number, tz: string) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: tz, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(ms);

/**
 * A DingTalk interactive card's public data: every value must be a string. Card templates render most of
 * them as markdown, and every text of a Card is plain text, so each is escaped as DingTalk markdown.
 */
export function cardParamMap(card: Card): Record<string, string> {
  const esc = escapeDingTalkMarkdown;
  return {
    title: esc(card.title),
    description: (card.description ?? '').split('\n').map(esc).join('\n'),
    fields: JSON.stringify((card.fields ?? []).map((f) => ({ label: esc(f.label), value: esc(f.value) }))),
    buttons: JSON.stringify(card.buttons.map((b) => ({ ...b, text: esc(b.text) }))),
    url: card.url ?? '',
    doneText: esc(card.doneText ?? ''),
  };
}

/**
 * DingTalk robot 1:1 messages, interactive cards, and work notifications (工作通知) for notices such as
 * the morning digest when the app's AgentId is configured. DingTalk drops content identical to what the
 * same user already got today (both robot messages and work notifications), so a repeat gets the time
 * appended rather than vanishing.
 */
export class DingTalkAdapter implements ChannelAdapter {
  readonly name = 'dingtalk' as const;
  private readonly sentToday = new Map<string, Set<string>>();

  constructor(
    private readonly client: DingTalkClient,
    private readonly opts: {
      cardTemplateId?: string;
      agentId?: number;
      businessTz: string;
      now?: () => number;
      /**
       * Where DingTalk sends card clicks: over the stream socket (default), or as HTTP pushes to the URL
       * registered for `routeKey` (HTTP mode).
       */
      cardCallback?: { type: 'STREAM' } | { type: 'HTTP'; routeKey: string };
    },
  ) {}

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** Content as sent: unchanged the first time today, with the time appended on a repeat. */
  distinct(user: string, content: string): string {
    const now = this.now();
    const key = `${user}|${dayKey(now, this.opts.businessTz)}`;
    const seen = this.sentToday.get(key) ?? new Set<string>();
    if (this.sentToday.size > 10_000) this.sentToday.clear();
    let out = content;
    if (seen.has(createHash('sha1').update(out).digest('hex'))) out = `${content}\n（${clock(now, this.opts.businessTz)}）`;
    seen.add(createHash('sha1').update(out).digest('hex'));
    this.sentToday.set(key, seen);
    return out;
  }

  async send(platformUserId: string, message: OutboundMessage, opts: SendOptions = {}): Promise<SendResult> {
    if (opts.notice && this.opts.agentId !== undefined && message.kind !== 'card') return this.workNotice(platformUserId, message);
    const { robotCode } = this.client.cfg;
    if (message.kind === 'card' && this.opts.cardTemplateId) {
      await this.client.call('post', '/v1.0/card/instances/createAndDeliver', {
        cardTemplateId: this.opts.cardTemplateId,
        outTrackId: message.card.taskId,
        ...(this.opts.cardCallback?.type === 'HTTP' ? { callbackType: 'HTTP', callbackRouteKey: this.opts.cardCallback.routeKey } : { callbackType: 'STREAM' }),
        cardData: { cardParamMap: cardParamMap(message.card) },
        openSpaceId: `dtv1.card//IM_ROBOT.${platformUserId}`,
        imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode },
        imRobotOpenSpaceModel: { supportForward: false },
        userId: platformUserId,
        userIdType: 1,
      });
      return { messageId: message.card.taskId };
    }
    const [msgKey, msgParam] =
      message.kind === 'text'
        ? ['sampleText', { content: this.distinct(platformUserId, renderSafeText(message.text, 'dingtalk-text')) }]
        : message.kind === 'markdown'
          ? ['sampleMarkdown', { title: message.title, text: this.distinct(platformUserId, renderSafeText(message.markdown, 'dingtalk-markdown')) }]
          : [
              'sampleMarkdown',
              { title: message.card.title, text: this.distinct(platformUserId, renderSafeText(cardAsMarkdown(message.card), 'dingtalk-markdown')) },
            ];
    const res = await this.client.call<{ processQueryKey?: string }>('post', '/v1.0/robot/oToMessages/batchSend', {
      robotCode,
      userIds: [platformUserId],
      msgKey,
      msgParam: JSON.stringify(msgParam),
    });
    return { messageId: res.processQueryKey };
  }

  /**
   * A work notification: shown in the 工作通知 conversation under the app's name, not in the robot chat.
   * DingTalk answers with a task id and delivers asynchronously (over-limit sends are accepted and then
   * not delivered, so content is kept distinct and one person gets few of these).
   */
  private async workNotice(
    platformUserId: string,
    message: { kind: 'text'; text: string | SafeText } | { kind: 'markdown'; title: string; markdown: SafeText },
  ): Promise<SendResult> {
    // a work notification is markdown: a text message is escaped as markdown too
    const [title, text] = message.kind === 'text' ? ['CRM 通知', message.text] : [message.title, message.markdown];
    const res = await this.client.topapi<{ task_id?: number | string }>('/topapi/message/corpconversation/asyncsend_v2', {
      agent_id: this.opts.agentId,
      userid_list: platformUserId,
      msg: { msgtype: 'markdown', markdown: { title, text: this.distinct(platformUserId, renderSafeText(text, 'dingtalk-markdown')) } },
    });
    return { messageId: res.task_id === undefined ? undefined : `notice:${res.task_id}` };
  }

  /**
   * An interactive card whose outTrackId DingTalk already has (the card's task id is the same for every attempt
   * at one delivery): an earlier send went out. Matched on the answer naming the outTrackId as existing or
   * duplicate (the fake's `outTrackIdExists`; DingTalk's exact code is not verified here).
   */
  alreadySent(err: unknown, message: OutboundMessage): boolean {
    if (message.kind !== 'card' || !this.opts.cardTemplateId || !(err instanceof DingTalkApiError)) return false;
    const said = `${err.code} ${err.message}`;
    return /outTrackId/i.test(said) && /exist|duplicate|重复/i.test(said);
  }

  /** Updates the card instance by its outTrackId (the card reference's task id). */
  async updateCard(ref: CardRef, card: Card): Promise<boolean> {
    if (!this.opts.cardTemplateId) return true; // markdown stand-ins cannot change; the next message says what happened
    await this.client.call('put', '/v1.0/card/instances', {
      outTrackId: ref.taskId,
      cardData: { cardParamMap: cardParamMap(card) },
      cardUpdateOptions: { updateCardDataByKey: true },
    });
    return true;
  }
}

/** Without a card template, a card is a markdown message (all its text escaped); its buttons become a hint to open the mini-app. */
function cardAsMarkdown(card: Card): SafeText {
  const fields = (card.fields ?? []).map((f) => md`- ${f.label}：${f.value}`);
  const tail = card.doneText ? md`\n\n**${card.doneText}**` : card.url ? md`\n\n[在小程序中处理](${trusted(card.url)})` : md``;
  const description = joinSafeText((card.description ?? '').split('\n'), '\n');
  return md`### ${card.title}\n${description}\n${joinSafeText(fields, '\n')}${tail}`;
}
