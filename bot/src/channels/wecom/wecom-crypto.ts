import { timingSafeEqual } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';

/** Why a callback was refused; each says what to check. */
export type CallbackRejection = 'missing_params' | 'bad_signature' | 'stale_timestamp' | 'decrypt_failed' | 'wrong_receiver';

export class WeComCallbackError extends Error {
  constructor(
    readonly reason: CallbackRejection,
    message: string,
  ) {
    super(message);
    this.name = 'WeComCallbackError';
  }
}

export interface CallbackSecrets {
  token: string;
  encodingAesKey: string;
  /** The receive id inside every ciphertext: the CorpID for a self-built app. */
  corpId: string;
}

export interface SignedPayload {
  msgSignature: string | undefined;
  timestamp: string | undefined;
  nonce: string | undefined;
  encrypt: string | undefined;
}

/** Signature check in constant time (SHA1 over the sorted token, timestamp, nonce and ciphertext). */
export function signatureMatches(token: string, p: { [K in keyof SignedPayload]-?: string }): boolean {
  const expected = Buffer.from(getSignature(token, p.timestamp, p.nonce, p.encrypt), 'utf8');
  const given = Buffer.from(p.msgSignature.toLowerCase(), 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * Verifies and opens one WeCom callback payload: signature, timestamp window, AES-256-CBC decryption,
 * and the receive id (must be our CorpID). Pure apart from the injected clock.
 */
export function openCallback(secrets: CallbackSecrets, p: SignedPayload, opts: { nowMs: number; windowSeconds: number }): string {
  if (!p.msgSignature || !p.timestamp || !p.nonce || !p.encrypt) {
    throw new WeComCallbackError('missing_params', 'msg_signature, timestamp, nonce and the ciphertext are all required');
  }
  const full = { msgSignature: p.msgSignature, timestamp: p.timestamp, nonce: p.nonce, encrypt: p.encrypt };
  if (!signatureMatches(secrets.token, full)) {
    throw new WeComCallbackError('bad_signature', 'signature mismatch: check WECOM_TOKEN against the app’s 接收消息 settings');
  }
  const ts = Number(p.timestamp);
  if (!Number.isFinite(ts) || Math.abs(opts.nowMs / 1000 - ts) > opts.windowSeconds) {
    throw new WeComCallbackError('stale_timestamp', `timestamp outside the ${opts.windowSeconds}s window: a replay, or this server’s clock is off`);
  }
  let opened: { message: string; id: string };
  try {
    opened = decrypt(secrets.encodingAesKey, p.encrypt);
  } catch {
    throw new WeComCallbackError('decrypt_failed', 'could not decrypt: check WECOM_ENCODING_AES_KEY');
  }
  if (opened.id !== secrets.corpId) {
    throw new WeComCallbackError('wrong_receiver', 'the message was encrypted for another CorpID: check WECOM_CORP_ID');
  }
  return opened.message;
}

/** The other direction, for tests and fake servers: what WeCom would send. */
export function sealCallback(secrets: CallbackSecrets, plaintext: string, timestamp: string, nonce: string): { encrypt: string; msgSignature: string } {
  const sealed = encrypt(secrets.encodingAesKey, plaintext, secrets.corpId);
  return { encrypt: sealed, msgSignature: getSignature(secrets.token, timestamp, nonce, sealed) };
}
