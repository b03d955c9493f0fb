// CORS, as oslo.middleware's cors filter does it for the original: off unless the operator lists
// the origins a browser page may call from (FREEZER_API_CORS_ORIGINS). Tokens travel in
// X-Auth-Token, not cookies, so credentials are never allowed; the origin is echoed, never `*`,
// with `Vary: Origin` so that caches keep answers for different origins apart.
import type http from 'node:http';
import type Koa from 'koa';

/** The response headers a page may read besides the simple ones. */
const EXPOSED = 'ETag, Location, Link, Retry-After, x-openstack-request-id';
/** How long a browser may reuse a preflight's answer, in seconds (oslo's default). */
const MAX_AGE = '3600';
/** Request headers every browser may send without asking (the CORS safelist). */
const SAFELISTED = ['accept', 'accept-language', 'content-language', 'content-type'];

export interface Cors {
  /** Every answer: the origin's headers when it is allowed (set before the app runs). */
  answer(req: http.IncomingMessage, res: http.ServerResponse): void;
  /** An OPTIONS the app answers for a path with these methods: a preflight's headers too. */
  preflight(ctx: Koa.Context, allow: string[]): void;
}

/**
 * `origins`: as configured (`*` for any); `requestHeaders`: the header names the API reads
 * (the spec's header parameters and the ones the server reads itself), which a preflight may ask for.
 */
export function createCors(origins: string[], requestHeaders: string[]): Cors | undefined {
  if (origins.length === 0) return undefined;
  const any = origins.includes('*');
  const listed = new Set(origins.map((origin) => origin.toLowerCase()));
  const readable = new Set([...SAFELISTED, ...requestHeaders.map((name) => name.toLowerCase())]);
  const allowed = (origin: string | undefined): origin is string =>
    origin !== undefined && origin !== '' && (any || listed.has(origin.toLowerCase()));
  return {
    answer(req, res) {
      res.setHeader('Vary', 'Origin');
      const origin = req.headers.origin;
      if (!allowed(origin)) return;
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', EXPOSED);
    },
    preflight(ctx, allow) {
      const method = ctx.get('access-control-request-method').trim().toUpperCase();
      if (!allowed(ctx.get('origin')) || method === '') return;
      const asked = ctx
        .get('access-control-request-headers')
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter((name) => name !== '');
      // A method or header the API does not take: no preflight headers, and the browser refuses.
      if (!allow.includes(method) || !asked.every((name) => readable.has(name))) return;
      ctx.set('Access-Control-Allow-Methods', allow.join(', '));
      if (asked.length) ctx.set('Access-Control-Allow-Headers', asked.join(', '));
      ctx.set('Access-Control-Max-Age', MAX_AGE);
    },
  };
}
