import { renderSafeText } from '@crm/shared';
import type { Card, CardRef, ChannelAdapter, OutboundMessage, SendResult } from '../../core/bot-event';
import { SendBudget, WECOM_MEMBER_WINDOWS } from '../../outbound/send-budget';
import { toTemplateCard } from './wecom-card';
import type { WeComCardCodeStore } from './wecom-card-codes';
import { WeComApiError, type WeComClient } from './wecom-client';

const MAX_TEXT_BYTES = 2048;

/** Cuts text to WeCom's 2,048-byte limit on a character boundary, marking the cut. */
export function fitBytes(text: string, max = MAX_TEXT_BYTES): string {
  if (Buffer.byteLength(text, 'utf8') <= max) return text;
  let out = '';
  for (const ch of text) {
    if (Buffer.byteLength(out + ch, 'utf8') > max - 6) break;
    out += ch;
  }
  return `${out}…`;
}

/**
 * WeCom app messages (text, markdown, template cards) and card updates, within each member's send budget.
 * A template card is redrawn with a single-use `response_code` (the send's, then one per tap): the adapter
 * keeps them in its own `wecom_card_codes` and uses each once; nobody outside it sees them.
 */
/** message/send: "taskid has existed". */
const TASK_ID_USED = 42014;

export class WeComAdapter implements ChannelAdapter {
  readonly name = 'wecom' as const;
  readonly scarceRedraws = true;

  constructor(
    private readonly client: WeComClient,
    private readonly agentId: number,
    private readonly codes: WeComCardCodeStore,
    private readonly budget: SendBudget = new SendBudget(WECOM_MEMBER_WINDOWS),
  ) {}

  async send(platformUserId: string, message: OutboundMessage): Promise<SendResult> {
    const done = await this.budget.acquire(platformUserId);
    const base = { touser: platformUserId, agentid: this.agentId };
    const body =
      message.kind === 'text'
        ? { ...base, msgtype: 'text', text: { content: fitBytes(renderSafeText(message.text, 'wecom-text')) } }
        : message.kind === 'markdown'
          ? { ...base, msgtype: 'markdown', markdown: { content: fitBytes(renderSafeText(message.markdown, 'wecom-markdown')) } }
          : { ...base, msgtype: 'template_card', template_card: toTemplateCard(message.card) };
    try {
      const res = await this.client.post<{ msgid?: string; response_code?: string }>('/cgi-bin/message/send', body);
      if (message.kind === 'card') await this.codes.sent(message.card.taskId, platformUserId, res.response_code ?? null);
      return { messageId: res.msgid };
    } finally {
      await done();
    }
  }

  /** 42014 on a card: its task id was used, i.e. this card went out before (the task id is the send's idempotency key). */
  alreadySent(err: unknown, message: OutboundMessage): boolean {
    return message.kind === 'card' && err instanceof WeComApiError && err.errcode === TASK_ID_USED;
  }

  sendDelayMs(platformUserId: string): number {
    return this.budget.waitMs(platformUserId);
  }

  /** A verified tap by `platformUserId` on card `taskId` carried a fresh code (kept only when the card is theirs). */
  async tapped(platformUserId: string, taskId: string, responseCode: string): Promise<void> {
    await this.codes.tapped(taskId, platformUserId, responseCode);
  }

  /** Redraws with the card's newest unused code (the tap's, else the send's): false when none is left. */
  async updateCard(ref: CardRef, card: Card): Promise<boolean> {
    const code = await this.codes.take(ref.taskId);
    if (!code) return false;
    await this.client.post('/cgi-bin/message/update_template_card', {
      userids: [ref.platformUserId],
      agentid: this.agentId,
      response_code: code,
      template_card: toTemplateCard(card),
    });
    return true;
  }
}
