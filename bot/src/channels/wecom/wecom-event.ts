import type { BotEvent } from '../../core/bot-event';

/**
 * A decrypted WeCom packet as a BotEvent, or null for what the bot does not handle (it still gets a 200).
 * Dedupe keys follow WeCom's advice: MsgId for messages, FromUserName + CreateTime for events, and
 * TaskId + ResponseCode for card clicks. The click's ResponseCode itself stays with the WeCom adapter
 * (`tapCode`): the event carries only the card's task id.
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
        action: { key: s('EventKey'), taskId: s('TaskId') },
        dedupeKey: `card:${s('TaskId')}:${s('ResponseCode') || s('CreateTime')}`,
      };
    case 'enter_agent':
      return { ...base, type: 'enter', dedupeKey: `evt:${user}:${s('CreateTime')}:enter_agent` };
    default:
      return null;
  }
}

/** A card click's fresh response code (single use, lets the adapter redraw that card once), or null. */
export function tapCode(f: Record<string, unknown>): { platformUserId: string; taskId: string; responseCode: string } | null {
  const s = (k: string) => (typeof f[k] === 'string' ? (f[k] as string) : '');
  if (s('MsgType') !== 'event' || s('Event') !== 'template_card_event') return null;
  if (!s('FromUserName') || !s('TaskId') || !s('ResponseCode')) return null;
  return { platformUserId: s('FromUserName'), taskId: s('TaskId'), responseCode: s('ResponseCode') };
}
