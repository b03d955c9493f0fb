// Optimistic concurrency over HTTP: versions leave as ETags and come back in If-Match.
import type Koa from 'koa';
import { ApiError, badRequest } from '../errors';

/** What the client's If-Match asks for: a version, any version (`*`), or nothing. */
export type Expected = number | '*' | undefined;

export function expectedVersion(ctx: Koa.Context): Expected {
  const header = ctx.get('if-match').trim();
  if (header === '') return undefined;
  if (header === '*') return '*';
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header);
  if (!match) throw badRequest(`header If-Match must be an ETag such as "3", not ${header.slice(0, 40)}`);
  return Number(match[1]);
}

/** Throws 412 unless the resource (at `current`, undefined when missing) is what was expected. */
export function checkExpected(noun: string, expected: Expected, current: number | undefined): void {
  if (expected === undefined) return;
  if (current === undefined) {
    throw new ApiError(412, `If-Match was given, but there is no such ${noun}.`);
  }
  if (expected !== '*' && expected !== current) {
    throw new ApiError(
      412,
      `The ${noun} was changed since version ${expected} (it is at version ${current}); read it again and retry.`,
    );
  }
}

export const setETag = (ctx: Koa.Context, version: number) => ctx.set('ETag', `"${version}"`);
