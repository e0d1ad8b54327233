import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';

/**
 * DingTalk's HTTP event encryption is the same scheme as WeCom's (AES-256-CBC with the 43-character
 * key, PKCS#7 to 32 bytes, random16 + length + message + owner key; SHA1 signature over the sorted
 * token, timestamp, nonce and ciphertext), so the same audited implementation serves both.
 */
export interface DingTalkEventSecrets {
  token: string;
  aesKey: string;
  /** The AppKey (Client ID) for an internal app's event subscription. */
  ownerKey: string;
}

export class DingTalkCallbackError extends Error {
  constructor(
    readonly reason: 'missing_params' | 'bad_signature' | 'stale_timestamp' | 'decrypt_failed' | 'wrong_receiver',
    message: string,
  ) {
    super(message);
    this.name = 'DingTalkCallbackError';
  }
}

const equalText = (a: string, b: string) => {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
};

/** DingTalk timestamps are in milliseconds (older docs: seconds); both are accepted. */
const toMs = (ts: number) => (ts < 1e12 ? ts * 1000 : ts);

export function openDingTalkEvent(
  s: DingTalkEventSecrets,
  p: { signature?: string; timestamp?: string; nonce?: string; encrypt?: string },
  opts: { nowMs: number; windowSeconds: number },
): string {
  if (!p.signature || !p.timestamp || !p.nonce || !p.encrypt)
    throw new DingTalkCallbackError('missing_params', 'signature, timestamp, nonce and encrypt are required');
  if (!equalText(getSignature(s.token, p.timestamp, p.nonce, p.encrypt), p.signature.toLowerCase())) {
    throw new DingTalkCallbackError('bad_signature', 'signature mismatch: check DINGTALK_TOKEN');
  }
  const ts = Number(p.timestamp);
  if (!Number.isFinite(ts) || Math.abs(opts.nowMs - toMs(ts)) > opts.windowSeconds * 1000) {
    throw new DingTalkCallbackError('stale_timestamp', 'timestamp outside the accepted window: a replay, or this server’s clock is off');
  }
  let opened: { message: string; id: string };
  try {
    opened = decrypt(s.aesKey, p.encrypt);
  } catch {
    throw new DingTalkCallbackError('decrypt_failed', 'could not decrypt: check DINGTALK_AES_KEY');
  }
  if (opened.id !== s.ownerKey) throw new DingTalkCallbackError('wrong_receiver', 'encrypted for another app: check DINGTALK_CLIENT_ID');
  return opened.message;
}

/** The answer DingTalk expects within 1,500 ms: the encrypted word `success`. */
export function sealSuccess(s: DingTalkEventSecrets, nowMs: number): { msg_signature: string; timeStamp: string; nonce: string; encrypt: string } {
  const timeStamp = String(nowMs);
  const nonce = randomBytes(4).toString('hex');
  const sealed = encrypt(s.aesKey, 'success', s.ownerKey);
  return { msg_signature: getSignature(s.token, timeStamp, nonce, sealed), timeStamp, nonce, encrypt: sealed };
}

/** For tests and fakes: an event as DingTalk would POST it. */
export function sealEvent(s: DingTalkEventSecrets, json: string, timestamp: string, nonce: string): { signature: string; encrypt: string } {
  const sealed = encrypt(s.aesKey, json, s.ownerKey);
  return { signature: getSignature(s.token, timestamp, nonce, sealed), encrypt: sealed };
}

/** Base64(HmacSHA256(key = secret, data = timestamp + "\n" + secret)). */
export function hmacSign(secret: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

/** HTTP-mode robot messages carry `timestamp` and `sign` headers signed with the AppSecret; 1 hour window. */
export function robotSignatureValid(appSecret: string, timestamp: string | undefined, sign: string | undefined, nowMs: number): boolean {
  if (!timestamp || !sign || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowMs - Number(timestamp)) > 3_600_000) return false;
  return equalText(hmacSign(appSecret, timestamp), sign);
}

/** Query parameters for a custom group robot webhook with 加签: `&timestamp=…&sign=…` (URL-encoded). */
export function signGroupWebhook(secret: string, nowMs: number): { timestamp: string; sign: string } {
  const timestamp = String(nowMs);
  return { timestamp, sign: encodeURIComponent(hmacSign(secret, timestamp)) };
}
