// How every list is ordered and cut into pages.
import type { Knex } from 'knex';
import { badRequest } from '../errors';
import type { Scope } from '../identity';
import { fromBuilder, ownedItem, selectFirst, selectRows } from './prepared';

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
  const { table, idColumn } = listing;
  const markerSeq = page.marker === undefined ? undefined : ownedItem(table, idColumn, 'seq')(scope, page.marker);
  // One round trip: the marker's seq is a subquery the database evaluates once.
  if (markerSeq) query.where(`${table}.seq`, '>', q.raw(`(${markerSeq.sql})`, [...markerSeq.bindings]));
  query.orderBy(`${table}.seq`).limit(page.limit);
  if (page.offset) query.offset(page.offset);
  const rows = await selectRows<T>(q, fromBuilder(query));
  // An empty page is also what an unknown marker gives; only then is it worth telling apart.
  if (markerSeq && rows.length === 0 && !(await selectFirst(q, markerSeq))) {
    throw badRequest(`marker "${page.marker}" is not the id of one of your items in this list`);
  }
  return rows;
}
