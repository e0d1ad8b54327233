import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { encrypt as oracleEncrypt, getSignature } from '@wecom/crypto';
import { openCallback, sealCallback, signatureMatches, WeComCallbackError, type CallbackRejection, type CallbackSecrets } from './wecom-crypto';

const SECRETS: CallbackSecrets = { token: 'QDG6eK', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', corpId: 'wx5823bf96d3bd56c7' };
const NOW_S = 1_795_400_000;
const at = { nowMs: NOW_S * 1000, windowSeconds: 300 };
const XML = '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Content><![CDATA[查 张三]]></Content><MsgId>1234567890123456</MsgId></xml>';

/**
 * The documented scheme written out independently (加解密方案说明): AESKey = base64(EncodingAESKey + "="),
 * AES-256-CBC, IV = key[0..16), PKCS#7 padding to a multiple of 32, plaintext = random(16) + len(4, big
 * endian) + msg + receiveid; signature = SHA1 of the sorted token, timestamp, nonce, ciphertext.
 */
function independentSeal(secrets: CallbackSecrets, msg: string, pad = (n: number) => 32 - (n % 32)): string {
  const key = Buffer.from(`${secrets.encodingAesKey}=`, 'base64');
  const body = Buffer.concat([randomBytes(16), Buffer.alloc(4), Buffer.from(msg), Buffer.from(secrets.corpId)]);
  body.writeUInt32BE(Buffer.byteLength(msg), 16);
  const n = pad(body.length);
  const padded = Buffer.concat([body, Buffer.alloc(n, n)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}
const sha1Signature = (...parts: string[]) => createHash('sha1').update(parts.sort().join('')).digest('hex');

function packet(encrypt: string, overrides: Partial<{ timestamp: string; nonce: string; msgSignature: string }> = {}) {
  const timestamp = overrides.timestamp ?? String(NOW_S);
  const nonce = overrides.nonce ?? 'n0nce';
  return { timestamp, nonce, encrypt, msgSignature: overrides.msgSignature ?? getSignature(SECRETS.token, timestamp, nonce, encrypt) };
}

describe('WeCom callback crypto: round trips', () => {
  it('opens what the official @wecom/crypto seals', () => {
    expect(openCallback(SECRETS, packet(oracleEncrypt(SECRETS.encodingAesKey, XML, SECRETS.corpId)), at)).toBe(XML);
  });

  it('opens what an independent implementation of the documented scheme seals, signed by plain SHA1', () => {
    const encrypt = independentSeal(SECRETS, XML);
    const p = { ...packet(encrypt), msgSignature: sha1Signature(SECRETS.token, String(NOW_S), 'n0nce', encrypt) };
    expect(openCallback(SECRETS, p, at)).toBe(XML);
  });

  it('seals what the documented scheme opens (sealCallback → independent signature check)', () => {
    const { encrypt, msgSignature } = sealCallback(SECRETS, XML, String(NOW_S), 'abc');
    expect(msgSignature).toBe(sha1Signature(SECRETS.token, String(NOW_S), 'abc', encrypt));
    expect(openCallback(SECRETS, { encrypt, msgSignature, timestamp: String(NOW_S), nonce: 'abc' }, at)).toBe(XML);
  });

  it('accepts an upper-case signature (hex case is not meaning)', () => {
    const p = packet(oracleEncrypt(SECRETS.encodingAesKey, XML, SECRETS.corpId));
    expect(signatureMatches(SECRETS.token, { ...p, msgSignature: p.msgSignature.toUpperCase() })).toBe(true);
  });
});

describe('WeCom callback crypto: what is refused, and why', () => {
  const good = oracleEncrypt(SECRETS.encodingAesKey, XML, SECRETS.corpId);
  /** Changes one character to a different one of the same alphabet (hex digits and base64 both have 0 and 1). */
  const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === '0' ? '1' : '0') + s.slice(i + 1);
  // A wrong key or broken padding decrypts to noise: refused either by the decryption or by the receive-id check.
  const cases: Array<[string, () => Parameters<typeof openCallback>[1], CallbackRejection | CallbackRejection[]]> = [
    ['no signature', () => ({ ...packet(good), msgSignature: undefined }), 'missing_params'],
    ['no ciphertext', () => ({ ...packet(good), encrypt: undefined }), 'missing_params'],
    ['one character of the signature changed', () => ({ ...packet(good), msgSignature: flip(packet(good).msgSignature, 5) }), 'bad_signature'],
    ['a signature of the wrong length', () => ({ ...packet(good), msgSignature: packet(good).msgSignature.slice(1) }), 'bad_signature'],
    ['signed with another token', () => ({ ...packet(good), msgSignature: getSignature('other', String(NOW_S), 'n0nce', good) }), 'bad_signature'],
    ['ciphertext changed after signing', () => ({ ...packet(good), encrypt: flip(good, 10) }), 'bad_signature'],
    ['timestamp 301 s old', () => packet(good, { timestamp: String(NOW_S - 301) }), 'stale_timestamp'],
    ['timestamp 301 s ahead', () => packet(good, { timestamp: String(NOW_S + 301) }), 'stale_timestamp'],
    ['timestamp not a number', () => packet(good, { timestamp: 'yesterday' }), 'stale_timestamp'],
    ['encrypted for another CorpID', () => packet(oracleEncrypt(SECRETS.encodingAesKey, XML, 'wwSomeoneElse')), 'wrong_receiver'],
    [
      'encrypted with another key',
      () => packet(oracleEncrypt('abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', XML, SECRETS.corpId)),
      ['decrypt_failed', 'wrong_receiver'],
    ],
    [
      'broken padding (a pad byte of 0)',
      () => packet(independentSeal(SECRETS, XML, () => 32).replace(/.{24}$/, '') + 'AAAAAAAAAAAAAAAAAAAAAA=='),
      ['decrypt_failed', 'wrong_receiver'],
    ],
    ['not base64 at all', () => packet('%%%not-base64%%%'), 'decrypt_failed'],
    ['an empty ciphertext', () => ({ ...packet(''), encrypt: '' }), 'missing_params'],
  ];
  it.each(cases)('%s → %s', (_name, make, reason) => {
    let thrown: unknown;
    try {
      openCallback(SECRETS, make(), at);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(WeComCallbackError);
    expect([reason].flat()).toContain((thrown as WeComCallbackError).reason);
  });

  it('a timestamp just inside the window is fine', () => {
    expect(openCallback(SECRETS, packet(good, { timestamp: String(NOW_S - 300) }), at)).toBe(XML);
  });
});
