import { renderSafeText } from '@crm/shared';
import type { Card, ChannelAdapter, OutboundMessage, SendResult } from '../../core/bot-event';
import { SendBudget, WECOM_MEMBER_WINDOWS } from '../../outbound/send-budget';
import { toTemplateCard } from './wecom-card';
import type { WeComClient } from './wecom-client';

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

/** WeCom app messages (text, markdown, template cards) and card updates, within each member's send budget. */
export class WeComAdapter implements ChannelAdapter {
  readonly name = 'wecom' as const;

  constructor(
    private readonly client: WeComClient,
    private readonly agentId: number,
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
      return { messageId: res.msgid, responseCode: res.response_code };
    } finally {
      await done();
    }
  }

  sendDelayMs(platformUserId: string): number {
    return this.budget.waitMs(platformUserId);
  }

  async updateCard(platformUserId: string, card: Card, opts: { responseCode?: string }): Promise<void> {
    if (!opts.responseCode) throw new Error('a WeCom card can only be updated with a response_code');
    await this.client.post('/cgi-bin/message/update_template_card', {
      userids: [platformUserId],
      agentid: this.agentId,
      response_code: opts.responseCode,
      template_card: toTemplateCard(card),
    });
  }
}
