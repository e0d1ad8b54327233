/* eslint-disable no-restricted-properties -- this test sets the proxy variables of the environment to show the client ignores them */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { platformHttp } from './http';

let server: Server;
let base: string;
const seen: Array<{ method?: string; url?: string; type?: string; body: string }> = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], body });
      res.statusCode = req.url?.startsWith('/busy') ? 503 : 200;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ errcode: res.statusCode === 200 ? 0 : -1, path: req.url }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('platformHttp: one client for every platform call', () => {
  const proxyVars = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'] as const;
  const saved = Object.fromEntries(proxyVars.map((k) => [k, process.env[k]]));
  afterEach(() => {
    for (const k of proxyVars) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it.each([
    { name: 'no proxy in the environment', env: {} },
    // a proxy that does not exist: followed, every call would fail
    { name: 'HTTP_PROXY set to a dead proxy', env: { HTTP_PROXY: 'http://127.0.0.1:9', http_proxy: 'http://127.0.0.1:9', NO_PROXY: '', no_proxy: '' } },
  ])('$name: calls go straight to the platform, JSON both ways', async ({ env }) => {
    for (const k of proxyVars) delete process.env[k];
    Object.assign(process.env, env);
    const http = platformHttp({ baseURL: base, timeoutMs: 2_000 });
    const res = await http.post<{ errcode: number; path: string }>('/cgi-bin/message/send', { touser: 'u1' }, { params: { access_token: 't' } });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ errcode: 0, path: '/cgi-bin/message/send?access_token=t' });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', type: 'application/json', body: '{"touser":"u1"}' });
  });

  it('answers every HTTP status (the caller reads the platform’s errcode) instead of throwing', async () => {
    const res = await platformHttp({ baseURL: base }).get<{ errcode: number }>('/busy');
    expect([res.status, res.data.errcode]).toEqual([503, -1]);
  });
});
