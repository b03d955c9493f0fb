// How every list is ordered and cut into pages.
import type { Knex } from 'knex';

export interface Page {
  limit: number;
  offset: number;
}

export const DEFAULT_PAGE: Page = { limit: 10, offset: 0 };

/** Oldest first (`seq` grows with every insert), so consecutive pages never overlap or skip. */
export const paged = (query: Knex.QueryBuilder, page: Page) =>
  query.orderBy('seq').limit(page.limit).offset(page.offset);
