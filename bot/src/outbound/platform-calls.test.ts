import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { platformHttp } from '@crm/shared';
import { countPlatformCalls, endpointOf } from './platform-calls';

describe('endpointOf', () => {
  it.each([
    ['/cgi-bin/message/send', '/cgi-bin/message/send'],
    ['/cgi-bin/gettoken?corpid=x&corpsecret=y', '/cgi-bin/gettoken'],
    ['/v1.0/card/instances/7c9e6679a4a14c0c9b1e2f3a4b5c6d7e/deliver', '/v1.0/card/instances/:id/deliver'],
    ['/topapi/message/corpconversation/asyncsend_v2', '/topapi/message/corpconversation/asyncsend_v2'],
    ['/v1.0/users/123456', '/v1.0/users/:id'],
  ])('%s → %s', (url, want) => {
    expect(endpointOf(url)).toBe(want);
  });
});

describe('countPlatformCalls', () => {
  it('reports each answer with its errcode (WeCom errcode, DingTalk code, HTTP status) and unreachable calls as network', async () => {
    const server = http.createServer((req, res) => {
      const path = req.url!.split('?')[0];
      const [status, body] =
        path === '/ok'
          ? [200, { errcode: 0 }]
          : path === '/busy'
            ? [200, { errcode: -1 }]
            : path === '/v1'
              ? [400, { code: 'Forbidden.AccessDenied' }]
              : [502, ''];
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const calls: string[] = [];
      const client = platformHttp({ baseURL: base });
      countPlatformCalls(client, (endpoint, errcode) => calls.push(`${endpoint} ${errcode}`));
      for (const path of ['/ok?access_token=secret', '/busy', '/v1', '/gateway']) await client.get(path);
      const closed = platformHttp({ baseURL: 'http://127.0.0.1:1', timeoutMs: 2000 });
      countPlatformCalls(closed, (endpoint, errcode) => calls.push(`${endpoint} ${errcode}`));
      await expect(closed.get('/down')).rejects.toThrow();
      expect(calls).toEqual(['/ok 0', '/busy -1', '/v1 Forbidden.AccessDenied', '/gateway http_502', '/down network']);
    } finally {
      server.close();
    }
  });
});
