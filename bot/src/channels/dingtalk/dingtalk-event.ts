import type { BotEvent } from '../../core/bot-event';

/** A robot message (stream topic /v1.0/im/bot/messages/get, or an HTTP-mode robot POST). */
export interface DingTalkRobotMessage {
  msgId?: string;
  msgtype?: string;
  text?: { content?: string };
  senderStaffId?: string;
  conversationType?: string;
  createAt?: number;
}

export function robotMessageToEvent(m: DingTalkRobotMessage, receivedAt: Date): BotEvent | null {
  if (!m.senderStaffId || !m.msgId) return null;
  if (m.msgtype !== 'text') {
    return { channel: 'dingtalk', platformUserId: m.senderStaffId, type: 'message', text: '', dedupeKey: `msg:${m.msgId}`, receivedAt };
  }
  return {
    channel: 'dingtalk',
    platformUserId: m.senderStaffId,
    type: 'message',
    text: (m.text?.content ?? '').trim(),
    dedupeKey: `msg:${m.msgId}`,
    receivedAt,
  };
}

/** The card platform's click callback (stream topic /v1.0/card/instances/callback, or an HTTP push). */
export interface DingTalkCardCallback {
  type?: string;
  userId?: string;
  outTrackId?: string;
  /** JSON: { cardPrivateData: { actionIds, params } }. */
  content?: string;
}

/** A card button click; the button's key travels in params.key. `messageId` makes a re-push recognisable. */
export function cardCallbackToEvent(payload: DingTalkCardCallback, messageId: string, receivedAt: Date): BotEvent | null {
  if (!payload.userId || !payload.outTrackId) return null;
  let key: string;
  try {
    const content = JSON.parse(payload.content ?? '{}') as { cardPrivateData?: { actionIds?: string[]; params?: { key?: string } } };
    key = content.cardPrivateData?.params?.key ?? content.cardPrivateData?.actionIds?.[0] ?? '';
  } catch {
    return null;
  }
  if (!key) return null;
  return {
    channel: 'dingtalk',
    platformUserId: payload.userId,
    type: 'action',
    action: { key, taskId: payload.outTrackId },
    dedupeKey: `card:${messageId}`,
    receivedAt,
  };
}
