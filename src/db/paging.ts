// How every list is ordered and cut into pages.
import type { Knex } from 'knex';
import type { Scope } from '../domain/caller';
import { type Binding, fromBuilder, ownedItem, scopeCondition, selectFirst, selectRows, type Sql } from './prepared';
import type { SearchTerms } from '../domain/search';
import { applySearch, type SearchTarget } from './search';

export interface Page {
  limit: number;
  offset: number;
  /** The id of the last item of the previous page: the page starts after it (keyset paging). */
  marker?: string;
}

export const DEFAULT_PAGE: Page = { limit: 10, offset: 0 };

/** A listed table: the column holding the ids its items are known by (and markers name), what a
 * page's rows carry, and where searches look. */
export interface Listing {
  table: string;
  idColumn: string;
  /** The select list, as SQL: `a, b, c AS d`. */
  columns: string;
  search: SearchTarget;
  /** The rows a scope sees, when not just its own (scopeCondition): clients add the central ones. */
  visible?: (scope: Scope, table?: string) => Sql;
}

/**
 * One page of the caller's items in `listing` (those matching `search`, if given), oldest first:
 * `seq` grows with every insert, so consecutive pages never overlap or skip. A marker becomes
 * `seq > (the marker's seq)`, which the (owner, …, seq) indexes answer directly, so a deep page
 * costs what the first does. Undefined when the marker names none of the owner's items.
 */
export async function readPage<T>(
  q: Knex,
  listing: Listing,
  scope: Scope,
  page: Page,
  search?: SearchTerms,
): Promise<T[] | undefined> {
  const marker = page.marker === undefined ? undefined : markerSql(listing, scope, page.marker);
  const statement = search ? searchedPage(q, listing, scope, page, search, marker) : plainPage(listing, scope, page, marker);
  const rows = await selectRows<T>(q, statement);
  // An empty page is also what an unknown marker gives; only then is it worth telling apart.
  if (marker && rows.length === 0 && !(await selectFirst(q, marker))) return undefined;
  return rows;
}

/**
 * A page without a search (what schedulers and the CLI ask for most), written out: the same
 * statement Knex would build, without building it on every request. The marker's seq is a
 * subquery the database evaluates once, in the same round trip.
 */
function plainPage(listing: Listing, scope: Scope, page: Page, marker: Sql | undefined): Sql {
  const { table, columns } = listing;
  const owner = (listing.visible ?? scopeCondition)(scope);
  let sql = `SELECT ${columns} FROM ${table} WHERE (${owner.sql})`;
  const bindings: Binding[] = [...owner.bindings];
  if (marker) {
    sql += ` AND ${table}.seq > (${marker.sql})`;
    bindings.push(...marker.bindings);
  }
  sql += ` ORDER BY ${table}.seq LIMIT ?`;
  bindings.push(page.limit);
  if (page.offset) {
    sql += ' OFFSET ?';
    bindings.push(page.offset);
  }
  return { sql, bindings };
}

/** A searched page: the search's conditions are built with Knex (src/db/search.ts). */
function searchedPage(q: Knex, listing: Listing, scope: Scope, page: Page, search: SearchTerms, marker: Sql | undefined): Sql {
  const { table } = listing;
  const owner = (listing.visible ?? scopeCondition)(scope, table);
  const query = q(table)
    .whereRaw(`(${owner.sql})`, [...owner.bindings])
    .select(q.raw(listing.columns));
  applySearch(query, q, listing.search, search);
  if (marker) query.where(`${table}.seq`, '>', q.raw(`(${marker.sql})`, [...marker.bindings]));
  query.orderBy(`${table}.seq`).limit(page.limit);
  if (page.offset) query.offset(page.offset);
  return fromBuilder(query);
}

/** The seq of the item a marker names, among those the scope sees. */
function markerSql(listing: Listing, scope: Scope, marker: string): Sql {
  if (!listing.visible) return ownedItem(listing.table, listing.idColumn, 'seq')(scope, marker);
  const visible = listing.visible(scope);
  return {
    // Several users of a project may each have registered the id (per-user data from before
    // project scope): the marker is the first of them.
    sql: `SELECT seq FROM ${listing.table} WHERE ${listing.idColumn} = ? AND (${visible.sql}) ORDER BY seq LIMIT 1`,
    bindings: [marker, ...visible.bindings],
  };
}
