import { createHmac } from 'node:crypto';
import { DingTalkCallbackError, hmacSign, openDingTalkEvent, robotSignatureValid, sealEvent, sealSuccess, signGroupWebhook } from './dingtalk-crypto';
import { decrypt } from '@wecom/crypto';

const S = { token: 'dtToken', aesKey: 'o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus', ownerKey: 'dingappkey123' };
const NOW = 1_795_000_000_000;

describe('DingTalk event callbacks', () => {
  const ts = String(NOW);
  const good = { ...sealEvent(S, '{"EventType":"check_url"}', ts, 'nonce1'), timestamp: ts, nonce: 'nonce1' };

  it('opens a sealed event', () => {
    expect(openDingTalkEvent(S, good, { nowMs: NOW, windowSeconds: 300 })).toBe('{"EventType":"check_url"}');
  });

  it.each([
    ['missing params', { ...good, signature: undefined }, 'missing_params'],
    ['tampered signature', { ...good, signature: 'f'.repeat(40) }, 'bad_signature'],
    ['stale timestamp', { ...sealEvent(S, '{}', String(NOW - 3_600_000), 'n'), timestamp: String(NOW - 3_600_000), nonce: 'n' }, 'stale_timestamp'],
    ['another app', { ...sealEvent({ ...S, ownerKey: 'other' }, '{}', ts, 'n'), timestamp: ts, nonce: 'n' }, 'wrong_receiver'],
  ])('refuses %s', (_name, payload, reason) => {
    try {
      openDingTalkEvent(S, payload, { nowMs: NOW, windowSeconds: 300 });
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(DingTalkCallbackError);
      expect((err as DingTalkCallbackError).reason).toBe(reason);
    }
  });

  it('answers with the encrypted word success, signed', () => {
    const reply = sealSuccess(S, NOW);
    expect(decrypt(S.aesKey, reply.encrypt)).toMatchObject({ message: 'success', id: S.ownerKey });
    expect(
      openDingTalkEvent(
        S,
        { signature: reply.msg_signature, timestamp: reply.timeStamp, nonce: reply.nonce, encrypt: reply.encrypt },
        { nowMs: NOW, windowSeconds: 5 },
      ),
    ).toBe('success');
  });
});

describe('HMAC signatures', () => {
  it('matches an independent computation of the documented algorithm', () => {
    const expected = createHmac('sha256', 'SECabc').update('1700000000000\nSECabc').digest('base64');
    expect(hmacSign('SECabc', '1700000000000')).toBe(expected);
    expect(signGroupWebhook('SECabc', 1_700_000_000_000)).toEqual({ timestamp: '1700000000000', sign: encodeURIComponent(expected) });
  });

  it.each([
    ['valid', String(NOW - 1000), (t: string) => hmacSign('appSecret', t), true],
    ['wrong secret', String(NOW), (t: string) => hmacSign('other', t), false],
    ['over an hour old', String(NOW - 3_700_000), (t: string) => hmacSign('appSecret', t), false],
    ['missing sign', String(NOW), () => undefined, false],
    ['not a number', 'abc', (t: string) => hmacSign('appSecret', t), false],
  ])('robot message signature: %s', (_name, timestamp, sign, ok) => {
    expect(robotSignatureValid('appSecret', timestamp, sign(timestamp), NOW)).toBe(ok);
  });
});
