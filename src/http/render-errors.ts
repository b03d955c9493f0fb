// Every failure leaves as the spec's Error body, `{title, description}`, and every 5xx is logged
// (src/http/failure-log.ts) with what caused it, which is never sent; its description ends with
// the request id, for the user to quote.
import type Koa from 'koa';
import { isDatabaseUnavailable } from '../db/errors';
import { ApiError, DATABASE_UNAVAILABLE, MALFORMED_JSON, unavailable } from '../errors';
import type { FailureLog } from './failure-log';
import { requestIdOf } from './request-id';

/** Renders what the app's handling of `ctx` threw (called from its one middleware, not a middleware of its own). */
export function createErrorRenderer(bodyLimitBytes: number, log: FailureLog): (ctx: Koa.Context, err: unknown) => void {
  return (ctx, err) => {
    const e = toApiError(err, bodyLimitBytes);
    ctx.status = e.status;
    ctx.set(e.headers);
    ctx.type = 'application/json';
    if (e.status < 500) {
      ctx.body = { title: e.title, description: e.message };
      return;
    }
    const requestId = requestIdOf(ctx.req);
    ctx.body = { title: e.title, description: `${e.message} (request ${requestId})` };
    const cause = e.cause ?? err;
    const kind = e.status === 503 ? e.message : `bug: ${(cause as Error)?.message ?? String(cause)}`;
    log.failed(`${ctx.method} ${ctx.path}`, requestId, e.status, kind, cause);
  };
}

function toApiError(err: unknown, bodyLimitBytes: number): ApiError {
  if (err instanceof ApiError) return err;
  if (isDatabaseUnavailable(err)) return unavailable(DATABASE_UNAVAILABLE, err);
  // koa-bodyparser (raw-body / co-body) errors carry an HTTP status of their own.
  const { status, type } = (err ?? {}) as { status?: number; type?: string };
  if (status === 413 || type === 'entity.too.large') {
    return new ApiError(413, `The request body exceeds the limit of ${bodyLimitBytes} bytes.`);
  }
  if (status === 400) {
    return new ApiError(400, `The request body is not a JSON object or array: ${(err as Error).message}`, {
      title: MALFORMED_JSON,
    });
  }
  if (status === 415) return new ApiError(415, (err as Error).message);
  if (typeof status === 'number' && status >= 400 && status < 500) return new ApiError(400, (err as Error).message);
  return new ApiError(500, 'The server failed to handle the request; it has been logged.', { cause: err });
}
