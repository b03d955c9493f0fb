// Reads request bodies as JSON, whatever method carries them (list searches come as GET bodies).
import type Koa from 'koa';
import bodyParser from 'koa-bodyparser';
import { MERGE_PATCH } from '../domain/merge';
import { ApiError } from '../errors';

const hasBody = (ctx: Koa.Context) => Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';

/** A request's body, and its media type: one of those its operation accepts. */
export interface ReadBody {
  /** The parsed JSON, or undefined when none was sent (so a missing body is told apart from `{}`). */
  body: unknown;
  /** The first of the accepted types when no body was sent. */
  mediaType: string;
}

/**
 * Reads the body of a request to an operation that takes one, whose spec accepts the media types
 * `accepted` (all of them JSON: application/json, application/merge-patch+json). One without
 * Content-Type is read as application/json (the original's tests post that way); one with any
 * other type is refused with 415 rather than ignored. A body sent to an operation that takes
 * none is never read.
 */
export function createBodyReader(bodyLimitBytes: number): (ctx: Koa.Context, accepted: readonly string[]) => Promise<ReadBody> {
  const parser = bodyParser({
    enableTypes: ['json'],
    extendTypes: { json: [MERGE_PATCH] },
    jsonLimit: String(bodyLimitBytes),
    strict: true,
  });
  return async (ctx, accepted) => {
    let mediaType = accepted[0] ?? 'application/json';
    if (hasBody(ctx)) {
      if (!ctx.get('content-type')) ctx.request.headers['content-type'] = 'application/json';
      const matched = ctx.is(...accepted);
      if (!matched) {
        throw new ApiError(415, `Request bodies must be ${accepted.join(' or ')}, not ${ctx.get('content-type')}.`);
      }
      mediaType = matched;
    }
    await parser(ctx, async () => {});
    const raw = (ctx.request as { rawBody?: string }).rawBody;
    if (raw === undefined || raw === '') return { body: undefined, mediaType };
    if (depthExceeds(ctx.request.body, MAX_BODY_DEPTH)) {
      throw new ApiError(400, `The request body nests objects or arrays deeper than ${MAX_BODY_DEPTH} levels.`);
    }
    return { body: ctx.request.body, mediaType };
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
