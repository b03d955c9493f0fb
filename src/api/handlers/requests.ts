// What list handlers read from every list request: its page and its search.
import { DEFAULT_PAGE, type Page } from '../../db/paging';
import { type Search, combineSearches } from '../../db/search';
import { badRequest } from '../../errors';

interface ListRequest {
  /** Validated (and coerced to numbers) against the spec before a handler runs. */
  query: { limit?: number; offset?: number; marker?: string; search?: Search };
  body: Search | undefined;
}

export function pageOf({ query }: ListRequest): Page {
  return { limit: query.limit ?? DEFAULT_PAGE.limit, offset: query.offset ?? DEFAULT_PAGE.offset, marker: query.marker };
}

/** Both ways of sending a search (GET body, `search` query parameter) apply together. */
export const searchOf = ({ query, body }: ListRequest): Search | undefined => combineSearches(body, query.search);

/** A page a repository found, or the 400 for a marker that names none of the caller's items. */
export function found<T>(page: T[] | undefined, { query }: ListRequest): T[] {
  if (!page) throw badRequest(`marker "${query.marker}" is not the id of one of your items in this list`);
  return page;
}
