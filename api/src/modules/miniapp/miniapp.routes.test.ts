import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import supertest from 'supertest';
import type { AppState } from '../../context';
import { miniappRoutes } from './miniapp.routes';

function serve(dir: string) {
  const app = new Koa<AppState>();
  app.use(async (ctx, next) => {
    ctx.state.requestId = 'test';
    await next();
  });
  app.use(miniappRoutes(dir).routes());
  return supertest(app.callback() as unknown as Server);
}

describe('/app: the built H5 mini-app', () => {
  it('without a build, a Chinese page says how to build it', async () => {
    const res = await serve(path.join(os.tmpdir(), 'no-such-miniapp-build')).get('/app/');
    expect(res.status).toBe(503);
    expect(res.text).toContain('npm run build:miniapp');
    expect(res.text).toContain('尚未构建');
  });

  it('serves index.html (not cached) and hashed assets (cached), never outside the build folder', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'miniapp-h5-'));
    mkdirSync(path.join(dir, 'js'));
    writeFileSync(path.join(dir, 'index.html'), '<div id="app"></div>');
    writeFileSync(path.join(dir, 'js', 'app.1234.js'), 'console.log(1)');
    const http = serve(dir);
    const index = await http.get('/app/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toContain('text/html');
    expect(index.headers['cache-control']).toBe('no-cache');
    const js = await http.get('/app/js/app.1234.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toContain('javascript');
    expect(js.headers['cache-control']).toContain('immutable');
    expect((await http.get('/app')).status).toBe(301);
    expect((await http.get('/app/js/missing.js')).status).toBe(404);
    expect((await http.get('/app/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
  });
});
