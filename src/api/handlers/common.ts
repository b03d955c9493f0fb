// What the resource handlers share: the caller's scope and the paging parameters.
import type Koa from 'koa';
import type { CallerOf, Caller } from '../../identity';
import { DEFAULT_PAGE, type Page } from '../../db/paging';
import type { Search } from '../../db/search';

interface RequestParts {
  request: { params: object; query: { limit?: number; offset?: number } | object };
}

/** v2 operations carry the project in the URL; v1 ones leave it to the identity module. */
export function callerFor(callerOf: CallerOf, c: { request: { params: object } }, ctx: Koa.Context): Caller {
  const { project_id } = c.request.params as { project_id?: string };
  return callerOf(ctx, project_id);
}

/** `limit`/`offset` are validated (and coerced to numbers) against the spec before this runs. */
export function pageOf(c: RequestParts): Page {
  const { limit, offset, marker } = c.request.query as { limit?: number; offset?: number; marker?: string };
  return { limit: limit ?? DEFAULT_PAGE.limit, offset: offset ?? DEFAULT_PAGE.offset, marker };
}

/**
 * The `search` query parameter. openapi-typescript types JSON-content parameters as strings, but
 * openapi-backend has parsed it and validated it against the Search schema by now.
 */
export function searchParam(c: { request: { query: object } }): Search | undefined {
  return (c.request.query as { search?: Search }).search;
}
