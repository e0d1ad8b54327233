import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import supertest from 'supertest';
import type { AppState } from '../../context';
import { consoleRoutes } from './console.routes';

function serve(dir: string) {
  const app = new Koa<AppState>();
  app.use(async (ctx, next) => {
    ctx.state.requestId = 'test';
    await next();
  });
  app.use(consoleRoutes(dir).routes());
  return supertest(app.callback() as unknown as Server);
}

describe('/console: the built web workbench', () => {
  it('without a build, a Chinese page says how to build it', async () => {
    const res = await serve(path.join(os.tmpdir(), 'no-such-web-build')).get('/console/');
    expect(res.status).toBe(503);
    expect(res.text).toContain('npm run build:web');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('answers index.html for every page of the app (browser routing), hashed assets cached, nothing outside the build', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'web-dist-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<div id="root"></div>');
    writeFileSync(path.join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
    const http = serve(dir);
    for (const page of ['/console/', '/console/customers', '/console/login/callback/wecom?code=x&state=y']) {
      const res = await http.get(page);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<div id="root">');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
    const js = await http.get('/console/assets/index-abc.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toContain('javascript');
    expect(js.headers['cache-control']).toContain('immutable');
    expect((await http.get('/console')).status).toBe(301);
    expect((await http.get('/console/assets/missing.js')).status).toBe(404);
    expect((await http.get('/console/%2e%2e/%2e%2e/package.json')).status).toBe(404);
  });
});
