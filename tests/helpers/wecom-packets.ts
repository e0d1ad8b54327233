import { randomBytes } from 'node:crypto';
import { sealCallback, type CallbackSecrets } from '../../bot/src/channels/wecom/wecom-crypto';

export const WECOM_TEST_APP = {
  corpId: 'wwtestcorp0001',
  agentId: 1000002,
  secret: 'test-app-secret',
  token: 'testCallbackToken',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
};

export const WECOM_TEST_ENV = (apiBase: string): Record<string, string> => ({
  WECOM_CORP_ID: WECOM_TEST_APP.corpId,
  WECOM_AGENT_ID: String(WECOM_TEST_APP.agentId),
  WECOM_SECRET: WECOM_TEST_APP.secret,
  WECOM_TOKEN: WECOM_TEST_APP.token,
  WECOM_ENCODING_AES_KEY: WECOM_TEST_APP.encodingAesKey,
  WECOM_API_BASE: apiBase,
});

export const SECRETS: CallbackSecrets = { token: WECOM_TEST_APP.token, encodingAesKey: WECOM_TEST_APP.encodingAesKey, corpId: WECOM_TEST_APP.corpId };

const cdata = (v: string) => `<![CDATA[${v}]]>`;

export function textXml(from: string, content: string, msgId = String(BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000)))): string {
  return `<xml><ToUserName>${cdata(WECOM_TEST_APP.corpId)}</ToUserName><FromUserName>${cdata(from)}</FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType>${cdata('text')}</MsgType><Content>${cdata(content)}</Content><MsgId>${msgId}</MsgId><AgentID>${WECOM_TEST_APP.agentId}</AgentID></xml>`;
}

export function cardClickXml(from: string, key: string, taskId: string, responseCode: string): string {
  return `<xml><ToUserName>${cdata(WECOM_TEST_APP.corpId)}</ToUserName><FromUserName>${cdata(from)}</FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType>${cdata('event')}</MsgType><Event>${cdata('template_card_event')}</Event><EventKey>${cdata(key)}</EventKey><TaskId>${cdata(taskId)}</TaskId><CardType>${cdata('button_interaction')}</CardType><ResponseCode>${cdata(responseCode)}</ResponseCode><AgentID>${WECOM_TEST_APP.agentId}</AgentID></xml>`;
}

/** What WeCom POSTs: the query string and the outer XML around the sealed inner packet. */
export function sealedPost(innerXml: string, opts: { timestamp?: string; nonce?: string; secrets?: CallbackSecrets } = {}) {
  const timestamp = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = opts.nonce ?? randomBytes(5).toString('hex');
  const { encrypt, msgSignature } = sealCallback(opts.secrets ?? SECRETS, innerXml, timestamp, nonce);
  return {
    query: { msg_signature: msgSignature, timestamp, nonce },
    body: `<xml><ToUserName>${cdata(WECOM_TEST_APP.corpId)}</ToUserName><AgentID>${WECOM_TEST_APP.agentId}</AgentID><Encrypt>${cdata(encrypt)}</Encrypt></xml>`,
    encrypt,
  };
}
