import { Writable } from 'node:stream';
import { createLogger, maskMobiles, wantsPretty } from './logger';

function capture(env: 'production' | 'development' = 'production') {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ logLevel: 'info', env }, { destination });
  return { logger, lines, flush: () => new Promise<void>((r) => setImmediate(r)) };
}

describe('maskMobiles', () => {
  it.each([
    ['客户电话 13812345678', '客户电话 138****5678'],
    ['+8613912345678 已拨', '139****5678 已拨'],
    ['两个 15000001111,18699990000', '两个 150****1111,186****0000'],
    ['订单号 123456789012345 不是手机号', '订单号 123456789012345 不是手机号'],
    ['12345678901 不以 13–19 开头', '12345678901 不以 13–19 开头'],
    ['金额 13800 元', '金额 13800 元'],
  ])('%s', (input, want) => {
    expect(maskMobiles(input)).toBe(want);
  });
});

describe('createLogger', () => {
  it('masks mobile numbers in messages, string fields and errors, and redacts credential and phone fields', async () => {
    const { logger, lines, flush } = capture();
    const child = logger.child({ reqId: 'r-1' }).child({ userId: 'u-1' });
    child.info({ text: '给 13812345678 打电话' }, '收到 13812345678 的消息');
    child.info(
      { headers: { authorization: 'Bearer abc' }, customer: { name: '张三', phone: '13912345678' }, wecom: { secret: 's3cr3t', token: 't0k' } },
      'record',
    );
    child.error({ err: new Error('手机号 15012345678 已存在') }, 'failed');
    await flush();
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/13812345678|13912345678|15012345678|Bearer abc|s3cr3t|t0k/);
    expect(lines[0]).toMatchObject({ msg: '收到 138****5678 的消息', text: '给 138****5678 打电话', reqId: 'r-1', userId: 'u-1' });
    expect(lines[1]).toMatchObject({ headers: { authorization: '******' }, customer: { name: '张三', phone: '******' }, wecom: { secret: '******' } });
    expect((lines[2]!.err as { message: string }).message).toBe('手机号 150****5678 已存在');
  });

  it.each([
    ['production at a terminal: JSON', { env: 'production' as const }, true, false],
    ['development at a terminal: pretty', { env: 'development' as const }, true, true],
    ['development, piped: JSON', { env: 'development' as const }, false, false],
    ['LOG_PRETTY=true in production', { env: 'production' as const, logPretty: true }, false, true],
    ['LOG_PRETTY=false at a terminal', { env: 'development' as const, logPretty: false }, true, false],
  ])('%s', (_name, config, isTTY, want) => {
    expect(wantsPretty(config, isTTY)).toBe(want);
  });
});
