// How every list is ordered and cut into pages.
import type { Knex } from 'knex';
import { badRequest } from '../errors';
import type { Scope } from '../identity';
import { selectFirst, selectRows, fromBuilder } from './prepared';

export interface Page {
  limit: number;
  offset: number;
  /** The id of the last item of the previous page: the page starts after it (keyset paging). */
  marker?: string;
}

export const DEFAULT_PAGE: Page = { limit: 10, offset: 0 };

/** A listed table and the column holding the ids its items are known by (and markers name). */
export interface Listing {
  table: string;
  idColumn: string;
}

/**
 * One page of `query` (a SELECT on `listing.table`, already limited to the caller's rows),
 * oldest first: `seq` grows with every insert, so consecutive pages never overlap or skip. A
 * marker becomes `seq > (the marker's seq)`, which the (owner, …, seq) indexes answer directly,
 * so a deep page costs what the first does.
 */
export async function readPage<T>(q: Knex, listing: Listing, scope: Scope, query: Knex.QueryBuilder, page: Page): Promise<T[]> {
  if (page.marker !== undefined) {
    const found = await selectFirst<{ seq: number }>(q, {
      sql: `SELECT seq FROM ${listing.table} WHERE ${listing.idColumn} = ? AND user_id = ? AND project_id = ?`,
      bindings: [page.marker, scope.userId, scope.projectId],
    });
    if (!found) throw badRequest(`marker "${page.marker}" is not the id of one of your items in this list`);
    query.where(`${listing.table}.seq`, '>', found.seq);
  }
  query.orderBy(`${listing.table}.seq`).limit(page.limit);
  if (page.offset) query.offset(page.offset);
  return selectRows<T>(q, fromBuilder(query));
}
