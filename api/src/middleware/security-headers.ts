import { createHash } from 'node:crypto';
import type { AppMiddleware } from '../context';

/**
 * The headers a browser expects on every response: no MIME sniffing, no referrer leaving the server (URLs carry
 * customer ids), and no framing by other sites (clickjacking on card buttons and the sandbox).
 */
export function baseSecurityHeaders(): AppMiddleware {
  return async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Frame-Options', 'DENY');
    await next();
  };
}

export interface PagePolicy {
  /** Inline <script> bodies of the page, allowed by their SHA-256 (no 'unsafe-inline' for scripts). */
  inlineScripts?: string[];
  /** Extra origins for script-src (e.g. a platform JS-SDK). */
  scriptOrigins?: string[];
}

/**
 * A Content-Security-Policy for one of our HTML pages: everything from our own origin only, inline scripts only by
 * hash, no plugins, no <base> tricks, forms post back to us, never framed. Inline styles stay allowed (the pages and
 * the Taro runtime set style attributes; styles cannot run code).
 */
export function contentSecurityPolicy(policy: PagePolicy = {}): string {
  const hashes = (policy.inlineScripts ?? []).map((s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`);
  return [
    "default-src 'self'",
    `script-src ${["'self'", ...hashes, ...(policy.scriptOrigins ?? [])].join(' ')}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The inline <script> bodies of an HTML page (what its CSP must allow by hash). */
export function inlineScriptsOf(html: string): string[] {
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => m[1]!);
}

/** Sets the page's CSP (and the base headers, for routers mounted outside the app). */
export function pageSecurityHeaders(policy: PagePolicy = {}): AppMiddleware {
  const csp = contentSecurityPolicy(policy);
  return async (ctx, next) => {
    ctx.set('Content-Security-Policy', csp);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Frame-Options', 'DENY');
    await next();
  };
}
