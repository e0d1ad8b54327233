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

/** DingTalk's address-book (通讯录) events: a member joined, changed or left; a department created, changed or removed. */
export const DINGTALK_ORG_EVENTS = ['user_add_org', 'user_modify_org', 'user_leave_org', 'org_dept_create', 'org_dept_modify', 'org_dept_remove'] as const;

/** What the directory sync is told about an org event (the same shape as a WeCom change_contact). */
export interface DirectoryChange {
  changeType: string;
  userid?: string;
  departmentId?: string;
}

/**
 * An org-change event as the directory sync's trigger, or null for any other event. HTTP pushes carry
 * `{ EventType, UserId: [...] }` / `{ EventType, DeptId: [...] }`; stream frames name the type in
 * `headers.eventType` and carry the body as `data` (its keys in either case).
 */
export function orgChangeOf(eventType: string | undefined, payload: unknown): DirectoryChange | null {
  const body = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
  const type = eventType ?? (typeof body.EventType === 'string' ? body.EventType : typeof body.eventType === 'string' ? body.eventType : undefined);
  if (!type || !(DINGTALK_ORG_EVENTS as readonly string[]).includes(type)) return null;
  const first = (v: unknown): string | undefined => {
    const x = Array.isArray(v) ? v[0] : v;
    return typeof x === 'string' || typeof x === 'number' ? String(x) : undefined;
  };
  const userid = first(body.UserId ?? body.userId);
  const departmentId = first(body.DeptId ?? body.deptId);
  return { changeType: type, ...(userid ? { userid } : {}), ...(departmentId ? { departmentId } : {}) };
}
