import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signatures of outbound webhooks: `X-CRM-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + '.' + body)>`.
 * The receiver recomputes v1 over the raw body it received, compares in constant time and refuses a `t` too far
 * from its clock (replays). See README "Outbound webhooks" for the recipe.
 */
export const SIGNATURE_HEADER = 'X-CRM-Signature';
export const EVENT_ID_HEADER = 'X-CRM-Event-Id';
export const EVENT_TYPE_HEADER = 'X-CRM-Event-Type';

export function signatureOf(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signatureOf(secret, timestamp, body)}`;
}

/** The receiver's side (used by the tests; the README shows the same in a few lines). */
export function verifySignature(secret: string, header: string, body: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds || typeof parts.v1 !== 'string') return false;
  const expected = Buffer.from(signatureOf(secret, t, body), 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
