import type { Server } from 'node:http';
import Koa from 'koa';
import pino from 'pino';
import supertest from 'supertest';
import { z } from 'zod';
import type { AppState } from '../context';
import { AppError } from '../errors/app-error';
import { errorHandler } from './error-handler';
import { requestId } from './request-id';

function appThrowing(thrown: () => unknown) {
  const logs: Array<Record<string, unknown>> = [];
  const app = new Koa<AppState>();
  app.silent = true;
  app.use(requestId(pino({ level: 'debug' }, { write: (l: string) => void logs.push(JSON.parse(l) as Record<string, unknown>) })));
  app.use(errorHandler());
  app.use(() => {
    throw thrown();
  });
  return { http: supertest(app.callback() as unknown as Server), logs };
}

describe('error handler', () => {
  it.each([
    ['AppError', () => new AppError(409, 'CUSTOMER_TAKEN', '客户已被领取', { details: { by: 'x' } }), 409, 'CUSTOMER_TAKEN', '客户已被领取'],
    ['zod error', () => z.object({ a: z.string() }).parse({}), 400, 'VALIDATION_FAILED', '请求参数不正确'],
    ['mongo duplicate key', () => Object.assign(new Error('E11000 duplicate key'), { code: 11000 }), 409, 'CONFLICT', '记录已存在'],
    ['mongoose cast error', () => Object.assign(new Error('Cast to ObjectId failed'), { name: 'CastError' }), 400, 'INVALID_ID', '无效的 ID'],
  ])('%s → %i %s', async (_name, thrown, status, code, message) => {
    const res = await appThrowing(thrown).http.get('/');
    expect(res.status).toBe(status);
    expect(res.body.error).toMatchObject({ code, message });
    expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
  });

  it.each([
    ['server selection', () => Object.assign(new Error('Server selection timed out after 1000 ms'), { name: 'MongoServerSelectionError' })],
    ['network timeout', () => Object.assign(new Error('connection 3 to 127.0.0.1:27017 timed out'), { name: 'MongoNetworkTimeoutError' })],
    ['pool cleared', () => Object.assign(new Error('Connection pool for 127.0.0.1:27017 was cleared'), { name: 'MongoPoolClearedError' })],
  ])('a database outage (%s) → 503 DATABASE_UNAVAILABLE with Retry-After, one warn line, no stack', async (_name, thrown) => {
    const { http, logs } = appThrowing(thrown);
    const res = await http.get('/').set('X-Request-Id', 'req-db');
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'DATABASE_UNAVAILABLE', message: '数据库暂时不可用，请稍后重试' });
    expect(res.headers['retry-after']).toBe('5');
    const mine = logs.filter((l) => l.reqId === 'req-db');
    expect(mine.map((l) => l.level)).toEqual([40]);
  });

  it('hides the text of an unexpected error and logs it with the request id', async () => {
    const { http, logs } = appThrowing(() => new Error('connection string mongodb://admin:hunter2@db leaked'));
    const res = await http.get('/').set('X-Request-Id', 'req-500');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL', message: '服务器内部错误，请稍后重试', requestId: 'req-500' } });
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    expect(logs.some((l) => l.reqId === 'req-500' && l.level === 50)).toBe(true);
  });

  it('hides a 5xx AppError message unless marked exposable', async () => {
    const res = await appThrowing(() => new AppError(502, 'UPSTREAM', 'wecom said errcode 40001 secret=abc')).http.get('/');
    expect(res.status).toBe(502);
    expect(res.body.error.message).toBe('服务器内部错误，请稍后重试');
  });
});
