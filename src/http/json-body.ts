// Reads request bodies as JSON, whatever method carries them (list searches come as GET bodies).
import { isUtf8 } from 'node:buffer';
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
    if (!hasBody(ctx)) return { body: undefined, mediaType: accepted[0] ?? 'application/json' };
    if (!ctx.get('content-type')) ctx.request.headers['content-type'] = 'application/json';
    const mediaType = ctx.is(...accepted);
    if (!mediaType) {
      throw new ApiError(415, `Request bodies must be ${accepted.join(' or ')}, not ${ctx.get('content-type')}.`);
    }
    const charset = ctx.request.charset;
    if (charset && !/^utf-?8$/i.test(charset)) {
      throw new ApiError(415, `Request bodies must be UTF-8, not charset=${charset}.`);
    }
    const coding = ctx.get('content-encoding');
    if (coding && coding.toLowerCase() !== 'identity') {
      throw new ApiError(415, `Request bodies must not be compressed (Content-Encoding: ${coding}).`);
    }
    // The bytes as sent, beside the parser's text: its UTF-8 decoding replaces invalid bytes
    // silently, and the stored document must be what was sent.
    const chunks: Buffer[] = [];
    const keep = (chunk: Buffer) => chunks.push(chunk);
    ctx.req.on('data', keep);
    try {
      await parser(ctx, async () => {});
    } catch (err) {
      // Reading the bytes took the body from Node, which then no longer discards what is left
      // of it: a refused body the client is still sending ends the connection.
      if (!ctx.req.complete) ctx.set('Connection', 'close');
      if ((err as { status?: number }).status !== 413) requireUtf8(chunks);
      throw err;
    } finally {
      ctx.req.off('data', keep);
    }
    requireUtf8(chunks);
    const raw = (ctx.request as { rawBody?: string }).rawBody;
    if (raw === undefined || raw === '') return { body: undefined, mediaType };
    const problem = unstorable(ctx.request.body, MAX_BODY_DEPTH);
    if (problem) throw new ApiError(400, problem);
    return { body: ctx.request.body, mediaType };
  };
}

/**
 * Deeper bodies are refused: merging, validating and storing documents recurse into them, and
 * MariaDB's JSON functions give up at 32 levels (searches would silently miss such documents).
 */
const MAX_BODY_DEPTH = 30;

/**
 * What makes a parsed body one that cannot be stored as sent: nesting deeper than `limit`, or a
 * number beyond a double's range (JSON.parse makes `1e400` Infinity, which the schema validator
 * takes for an integer and JSON.stringify writes as null). Iterative, so that measuring a hostile
 * body cannot itself overflow the stack.
 */
function unstorable(value: unknown, limit: number): string | undefined {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current === 'number' && !Number.isFinite(current)) {
      return 'The request body holds a number too large to represent (beyond ±1.8e308).';
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth > limit) return `The request body nests objects or arrays deeper than ${limit} levels.`;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return undefined;
}

/** 400 for bytes that are not UTF-8, naming the first bad one, or for a byte order mark. */
function requireUtf8(chunks: Buffer[]): void {
  const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new ApiError(400, 'The request body starts with a byte order mark (EF BB BF); send UTF-8 JSON without one.');
  }
  if (isUtf8(bytes)) return;
  const at = firstInvalidUtf8(bytes);
  const hint = bytes[0] === 0xff || bytes[0] === 0xfe ? ' (it looks like UTF-16)' : '';
  throw new ApiError(400, `The request body is not valid UTF-8 at byte ${at}${hint}.`);
}

/** The offset of the first byte that does not continue a valid UTF-8 sequence (RFC 3629). */
function firstInvalidUtf8(bytes: Buffer): number {
  for (let i = 0; i < bytes.length;) {
    const [length, low, high] = sequenceStartedBy(bytes[i]!);
    if (length === 0) return i;
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      const [min, max] = k === 1 ? [low, high] : [0x80, 0xbf];
      if (next === undefined || next < min || next > max) return i + k;
    }
    i += length;
  }
  return bytes.length;
}

/**
 * The length of the sequence a lead byte starts (0: it cannot start one), and the range its
 * second byte must be in: no overlong forms, no surrogates, nothing past U+10FFFF.
 */
function sequenceStartedBy(b: number): [number, number, number] {
  if (b < 0x80) return [1, 0, 0];
  if (b >= 0xc2 && b <= 0xdf) return [2, 0x80, 0xbf];
  if (b === 0xe0) return [3, 0xa0, 0xbf];
  if (b === 0xed) return [3, 0x80, 0x9f];
  if (b >= 0xe1 && b <= 0xef) return [3, 0x80, 0xbf];
  if (b === 0xf0) return [4, 0x90, 0xbf];
  if (b >= 0xf1 && b <= 0xf3) return [4, 0x80, 0xbf];
  if (b === 0xf4) return [4, 0x80, 0x8f];
  return [0, 0, 0];
}
