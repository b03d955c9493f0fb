// A list request's search, checked and put in the form the SQL compiler (src/db/search.ts)
// takes. Everything a client can get wrong in a search is found here, as a 400.
import type { components } from '../../generated/openapi';
import { badRequest } from '../errors';

export type Search = components['schemas']['Search'];
export type Scalar = string | number | boolean | null;

/** One condition of a search, in the order the request gave it. */
export type SearchCondition =
  /** `{key: value}` must hold (or, negated, must not). */
  | { key: string; value: Scalar; negate: boolean }
  /** The CLI's free-text `--search TEXT`: documents containing TEXT, ignoring case. */
  | { text: string };

export interface SearchTerms {
  conditions: SearchCondition[];
  /** Epoch seconds, as sent; lists that keep a time stamp check them (see `checkTimeBounds`). */
  timeAfter?: number;
  timeBefore?: number;
}

const KEY = /^[A-Za-z0-9_-]{1,128}(\.[A-Za-z0-9_-]{1,128}){0,7}$/;

/**
 * Both ways of sending a search (GET body, `search` query parameter) apply together.
 * `match`: every pair must hold; `match_not`: no pair may hold (an object with several keys is
 * several pairs). `{"_all": TEXT}` in `match` is the CLI's `--search TEXT`: TEXT holding a JSON
 * list of pairs means those pairs; any other TEXT is free text.
 */
export function searchTerms(...searches: (Search | undefined)[]): SearchTerms | undefined {
  const given = searches.filter((s): s is Search => s !== undefined);
  if (given.length === 0) return undefined;
  const conditions: SearchCondition[] = [];
  for (const search of given) {
    addPairs(conditions, search.match ?? [], false);
    addPairs(conditions, search.match_not ?? [], true);
  }
  // The later search's bound wins.
  const later = <T>(values: (T | undefined)[]) => values.reduce<T | undefined>((a, b) => b ?? a, undefined);
  return {
    conditions,
    timeAfter: later(given.map((s) => s.time_after)),
    timeBefore: later(given.map((s) => s.time_before)),
  };
}

/**
 * One search object meaning what the given ones mean together (as `searchTerms` reads them):
 * their pairs in order, the later time bounds. For the next page's link.
 */
export function combinedSearch(...searches: (Search | undefined)[]): Search | undefined {
  const given = searches.filter((s): s is Search => s !== undefined);
  if (given.length <= 1) return given[0];
  const combined: Search = {
    match: given.flatMap((s) => s.match ?? []),
    match_not: given.flatMap((s) => s.match_not ?? []),
  };
  for (const s of given) {
    if (s.time_after !== undefined) combined.time_after = s.time_after;
    if (s.time_before !== undefined) combined.time_before = s.time_before;
  }
  return combined;
}

/** The search's time bounds, for a list that keeps a time stamp: whole epoch seconds, or a 400. */
export function checkTimeBounds(terms: SearchTerms | undefined): void {
  for (const [bound, value] of [
    ['time_after', terms?.timeAfter],
    ['time_before', terms?.timeBefore],
  ] as const) {
    if (value !== undefined && !Number.isSafeInteger(value))
      throw badRequest(`search "${bound}" must be a whole number of epoch seconds`);
  }
}

function addPairs(conditions: SearchCondition[], pairs: Record<string, unknown>[], negate: boolean): void {
  for (const pair of pairs) {
    for (const [key, value] of Object.entries(pair)) {
      if (key === '_all' && !negate) {
        addAllText(conditions, value);
        continue;
      }
      conditions.push({ key: checkedKey(key), value: scalar(key, value), negate });
    }
  }
}

function addAllText(conditions: SearchCondition[], value: unknown): void {
  if (typeof value !== 'string') throw badRequest('search "_all" must be a string');
  const pairs = parsePairs(value);
  if (pairs) addPairs(conditions, pairs, false);
  else conditions.push({ text: value });
}

/** The CLI's `--search '[{"client_id": "node1"}]'` form. */
function parsePairs(text: string): Record<string, unknown>[] | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'object' && p !== null && !Array.isArray(p))) {
      return parsed as Record<string, unknown>[];
    }
  } catch {
    // not JSON: free text
  }
  return undefined;
}

function checkedKey(key: string): string {
  if (!KEY.test(key)) {
    throw badRequest(`search key "${key.slice(0, 140)}" must be letters, digits, '_' or '-' (nested keys joined by '.')`);
  }
  return key;
}

function scalar(key: string, value: unknown): Scalar {
  if (typeof value === 'number' && !Number.isFinite(value)) throw badRequest(`search value for "${key}" is not a finite number`);
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value as Scalar;
  throw badRequest(`search value for "${key}" must be a string, number, boolean or null`);
}
