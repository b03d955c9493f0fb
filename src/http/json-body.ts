// Reads request bodies as JSON, whatever method carries them (list searches come as GET bodies).
import type Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { ApiError } from '../errors';

const hasBody = (ctx: Koa.Context) =>
  Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';

/**
 * A body without Content-Type is read as JSON (the original's tests post that way); one with any
 * other explicit type is refused with 415 rather than silently ignored.
 */
export function jsonBody(bodyLimitBytes: number): Koa.Middleware[] {
  const requireJson: Koa.Middleware = (ctx, next) => {
    if (hasBody(ctx)) {
      if (!ctx.get('content-type')) ctx.request.headers['content-type'] = 'application/json';
      else if (!ctx.is('json')) {
        throw new ApiError(
          415,
          'Unsupported Media Type',
          `Request bodies must be application/json, not ${ctx.get('content-type')}.`,
        );
      }
    }
    return next();
  };
  return [requireJson, bodyParser({ enableTypes: ['json'], jsonLimit: String(bodyLimitBytes), strict: true })];
}

/** The parsed body, or undefined when the request had none (so a missing body is told apart from `{}`). */
export function bodyOf(ctx: Koa.Context): unknown {
  const raw = (ctx.request as { rawBody?: string }).rawBody;
  return raw === undefined || raw === '' ? undefined : ctx.request.body;
}
