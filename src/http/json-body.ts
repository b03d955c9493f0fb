// Reads request bodies as JSON, whatever method carries them (list searches come as GET bodies).
import type Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { ApiError } from '../errors';

const hasBody = (ctx: Koa.Context) => Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';

/**
 * Reads the body of a request to an operation that takes one: the parsed JSON, or undefined when
 * none was sent (so a missing body is told apart from `{}`). One without Content-Type is read as
 * JSON (the original's tests post that way); one with any other explicit type is refused with 415
 * rather than ignored. A body sent to an operation that takes none is never read.
 */
export function createBodyReader(bodyLimitBytes: number): (ctx: Koa.Context) => Promise<unknown> {
  const parser = bodyParser({ enableTypes: ['json'], jsonLimit: String(bodyLimitBytes), strict: true });
  return async (ctx) => {
    if (hasBody(ctx)) {
      if (!ctx.get('content-type')) ctx.request.headers['content-type'] = 'application/json';
      else if (!ctx.is('json')) {
        throw new ApiError(415, `Request bodies must be application/json, not ${ctx.get('content-type')}.`);
      }
    }
    await parser(ctx, async () => {});
    const raw = (ctx.request as { rawBody?: string }).rawBody;
    if (raw === undefined || raw === '') return undefined;
    if (depthExceeds(ctx.request.body, MAX_BODY_DEPTH)) {
      throw new ApiError(400, `The request body nests objects or arrays deeper than ${MAX_BODY_DEPTH} levels.`);
    }
    return ctx.request.body;
  };
}

/**
 * Deeper bodies are refused: merging, validating and storing documents recurse into them, and
 * MariaDB's JSON functions give up at 32 levels (searches would silently miss such documents).
 */
const MAX_BODY_DEPTH = 30;

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
