import type { BotEvent } from '../../core/bot-event';

/**
 * A decrypted WeCom packet as a BotEvent, or null for what the bot does not handle (it still gets a 200).
 * Dedupe keys follow WeCom's advice: MsgId for messages, FromUserName + CreateTime for events, and
 * TaskId + ResponseCode for card clicks.
 */
export function toBotEvent(f: Record<string, unknown>, receivedAt: Date): BotEvent | null {
  const s = (k: string) => (typeof f[k] === 'string' ? (f[k] as string) : '');
  const user = s('FromUserName');
  if (!user) return null;
  const base = { channel: 'wecom' as const, platformUserId: user, receivedAt };
  if (s('MsgType') === 'text') {
    return { ...base, type: 'message', text: s('Content'), dedupeKey: `msg:${s('MsgId') || `${user}:${s('CreateTime')}`}` };
  }
  if (s('MsgType') !== 'event') return null;
  switch (s('Event')) {
    case 'template_card_event':
      return {
        ...base,
        type: 'action',
        action: { key: s('EventKey'), taskId: s('TaskId'), responseCode: s('ResponseCode') },
        dedupeKey: `card:${s('TaskId')}:${s('ResponseCode') || s('CreateTime')}`,
      };
    case 'enter_agent':
      return { ...base, type: 'enter', dedupeKey: `evt:${user}:${s('CreateTime')}:enter_agent` };
    default:
      return null;
  }
}
