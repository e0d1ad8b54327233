import { apiRouters } from '../../api/src/app';
import { buildOpenApi } from '../../api/src/modules/openapi/openapi.builder';
import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('OpenAPI document', () => {
  it('is served at /api/v1/openapi.json as OpenAPI 3.1 and describes every route with a summary', async () => {
    const res = await t.http.get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const ops = Object.entries(res.body.paths as Record<string, Record<string, { summary: string }>>).flatMap(([p, m]) =>
      Object.keys(m).map((k) => `${k.toUpperCase()} ${p}`),
    );
    expect(ops).toEqual(
      expect.arrayContaining(['GET /api/v1/customers', 'POST /api/v1/customers', 'POST /api/v1/opportunities/{id}/stage', 'GET /api/v1/audit']),
    );
    for (const [, methods] of Object.entries(res.body.paths as Record<string, Record<string, { summary: string }>>)) {
      for (const op of Object.values(methods)) expect(op.summary).not.toMatch(/^(GET|POST|PATCH|PUT|DELETE) /);
    }
  });

  it('has a summary for every mounted route', () => {
    const { publicApi, protectedApi } = apiRouters(t.config, t.services);
    const { undocumented } = buildOpenApi(
      [
        { router: publicApi, public: true },
        { router: protectedApi, public: false },
      ],
      { version: '0', serverUrl: 'http://x' },
    );
    expect(undocumented).toEqual([]);
  });

  it('request bodies come from the zod schemas (source is required, unknown fields refused)', async () => {
    const res = await t.http.get('/api/v1/openapi.json');
    const body = res.body.paths['/api/v1/customers'].post.requestBody.content['application/json'].schema;
    expect(body.required).toContain('source');
    expect(body.additionalProperties).toBe(false);
    expect(body.properties.source.enum).toContain('老客户推荐');
    const list = res.body.paths['/api/v1/customers'].get.parameters.map((p: { name: string }) => p.name);
    expect(list).toEqual(expect.arrayContaining(['q', 'owner', 'tier', 'status', 'cursor', 'limit']));
  });

  it('the docs page is served in Chinese', async () => {
    const res = await t.http.get('/api/docs');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('API 文档');
  });
});
