// Reads request bodies as JSON, whatever method carries them (list searches come as GET bodies).
import type Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { ApiError } from '../errors';

const hasBody = (ctx: Koa.Context) =>
  Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';

/**
 * For operations that take a body: one without Content-Type is read as JSON (the original's tests
 * post that way); one with any other explicit type is refused with 415 rather than ignored.
 */
export function jsonBody(bodyLimitBytes: number, takesBody: (ctx: Koa.Context) => boolean): Koa.Middleware {
  const parser = bodyParser({ enableTypes: ['json'], jsonLimit: String(bodyLimitBytes), strict: true });
  return (ctx, next) => {
    // A body sent to an operation that takes none is ignored, whatever it is.
    if (!takesBody(ctx)) return next();
    if (hasBody(ctx)) {
      if (!ctx.get('content-type')) ctx.request.headers['content-type'] = 'application/json';
      else if (!ctx.is('json')) {
        throw new ApiError(
          415,
          `Request bodies must be application/json, not ${ctx.get('content-type')}.`,
        );
      }
    }
    return parser(ctx, () => limitDepth(ctx, next));
  };
}

/**
 * Deeper bodies are refused: merging, validating and storing documents recurse into them, and
 * MariaDB's JSON functions give up at 32 levels (searches would silently miss such documents).
 */
const MAX_BODY_DEPTH = 30;

const limitDepth: Koa.Middleware = (ctx, next) => {
  if (depthExceeds(ctx.request.body, MAX_BODY_DEPTH)) {
    throw new ApiError(400, `The request body nests objects or arrays deeper than ${MAX_BODY_DEPTH} levels.`);
  }
  return next();
};

/** Iterative, so that measuring a hostile body cannot itself overflow the stack. */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

/** The parsed body, or undefined when the request had none (so a missing body is told apart from `{}`). */
export function bodyOf(ctx: Koa.Context): unknown {
  const raw = (ctx.request as { rawBody?: string }).rawBody;
  return raw === undefined || raw === '' ? undefined : ctx.request.body;
}
