import type { AppMiddleware } from '../context';
import { AppError, CommonErrorCode } from '../errors/app-error';

/** 127.0.0.0/8, ::1, and IPv4 loopback written as IPv6 (::ffff:127.x.y.z). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return /^127(\.\d{1,3}){3}$/.test(v4) || address === '::1';
}

/**
 * For development-only surfaces (dev login, the sandbox chat): unless `allowRemote`, a request whose TCP peer is
 * not this machine gets a plain 404, as if the route did not exist. It reads the socket's address, never
 * X-Forwarded-For (the app trusts proxy headers, so a caller could write any address there): behind a reverse
 * proxy on the same host every request looks local, which is why production refuses dev login and the sandbox
 * outright (config).
 */
export function loopbackOnly(allowRemote: boolean): AppMiddleware {
  return async (ctx, next) => {
    if (!allowRemote && !isLoopbackAddress(ctx.req.socket.remoteAddress)) {
      throw new AppError(404, CommonErrorCode.NOT_FOUND, `没有这个接口：${ctx.method} ${ctx.path}`);
    }
    await next();
  };
}
