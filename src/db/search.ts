// Turns a list request's search object into SQL conditions, so that filtering happens before
// limit/offset and pages stay correct. Keys and values are always bound parameters, never SQL.
import type { Knex } from 'knex';
import type { components } from '../../generated/openapi';
import { badRequest } from '../errors';

export type Search = components['schemas']['Search'];
type Scalar = string | number | boolean | null;

/** Where a resource keeps the values a search can name. */
export interface SearchTarget {
  /** Keys held in their own (indexed) string columns: key → column. */
  columns: Record<string, string>;
  /** The JSON column other keys are looked up in, as `$.key` (a dotted key reads nested objects). */
  document: string;
  /** Column holding a `time_stamp` in epoch seconds, for `time_after` / `time_before`. */
  timeColumn?: string;
}

const KEY = /^[A-Za-z0-9_-]{1,128}(\.[A-Za-z0-9_-]{1,128}){0,7}$/;

/**
 * `match`: every pair must hold; `match_not`: no pair may hold. A pair holds when the document's
 * value under the key has the same JSON type and value (`"200"` is not `200`); a missing key reads
 * as null. `{"_all": TEXT}` in `match` is the CLI's `--search TEXT`: TEXT holding a JSON list of
 * pairs means those pairs; any other TEXT matches documents containing it (case-insensitively).
 */
export function applySearch(
  query: Knex.QueryBuilder,
  db: Knex,
  target: SearchTarget,
  search: Search | undefined,
): void {
  if (!search) return;
  const sql = db.client.config.client === 'mysql2' ? mysqlJson : sqliteJson;
  for (const [pairs, negate] of [
    [search.match ?? [], false],
    [search.match_not ?? [], true],
  ] as const) {
    for (const pair of pairs) {
      for (const [key, value] of Object.entries(pair)) {
        if (key === '_all' && !negate) {
          applyAllText(query, db, target, value);
          continue;
        }
        const [text, bindings] = condition(target, sql, key, scalar(key, value));
        if (negate) query.whereRaw(`NOT ((${text}) IS TRUE)`, bindings);
        else query.whereRaw(`(${text}) IS TRUE`, bindings);
      }
    }
  }
  if (target.timeColumn) {
    if (search.time_after !== undefined) query.where(target.timeColumn, '>=', search.time_after);
    if (search.time_before !== undefined) query.where(target.timeColumn, '<=', search.time_before);
  }
}

function applyAllText(query: Knex.QueryBuilder, db: Knex, target: SearchTarget, value: unknown): void {
  if (typeof value !== 'string') throw badRequest('search "_all" must be a string');
  const pairs = parsePairs(value);
  if (pairs) {
    applySearch(query, db, target, { match: pairs });
    return;
  }
  // '!' escapes LIKE's wildcards: a backslash means different things in SQLite and MySQL literals.
  const pattern = `%${value.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
  query.whereRaw("LOWER(??) LIKE ? ESCAPE '!'", [target.document, pattern]);
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

function scalar(key: string, value: unknown): Scalar {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value as Scalar;
  throw badRequest(`search value for "${key}" must be a string, number, boolean or null`);
}

function condition(target: SearchTarget, sql: JsonDialect, key: string, value: Scalar): [string, Knex.RawBinding[]] {
  if (!KEY.test(key)) {
    throw badRequest(
      `search key "${key.slice(0, 140)}" must be letters, digits, '_' or '-' (nested keys joined by '.')`,
    );
  }
  const column = target.columns[key];
  if (column) {
    if (value === null) return ['?? IS NULL', [column]];
    if (typeof value !== 'string') return ['1 = 0', []]; // these columns only ever hold strings
    return ['?? = ?', [column, value]];
  }
  const path = '$' + key.split('.').map((segment) => `."${segment}"`).join('');
  return sql.equals(target.document, path, value);
}

interface JsonDialect {
  equals(doc: string, path: string, value: Scalar): [string, Knex.RawBinding[]];
}

const sqliteJson: JsonDialect = {
  equals(doc, path, value) {
    if (value === null) return ["COALESCE(json_type(??, ?), 'null') = 'null'", [doc, path]];
    if (typeof value === 'boolean') return ['json_type(??, ?) = ?', [doc, path, String(value)]];
    if (typeof value === 'number') {
      return ["json_type(??, ?) IN ('integer', 'real') AND json_extract(??, ?) = ?", [doc, path, doc, path, value]];
    }
    return ["json_type(??, ?) = 'text' AND json_extract(??, ?) = ?", [doc, path, doc, path, value]];
  },
};

const mysqlJson: JsonDialect = {
  equals(doc, path, value) {
    const type = 'JSON_TYPE(JSON_EXTRACT(??, ?))';
    if (value === null) return [`COALESCE(${type}, 'NULL') = 'NULL'`, [doc, path]];
    if (typeof value === 'boolean') {
      return [`${type} = 'BOOLEAN' AND JSON_UNQUOTE(JSON_EXTRACT(??, ?)) = ?`, [doc, path, doc, path, String(value)]];
    }
    if (typeof value === 'number') {
      return [
        `${type} IN ('INTEGER', 'UNSIGNED INTEGER', 'DOUBLE', 'DECIMAL') AND JSON_EXTRACT(??, ?) = ?`,
        [doc, path, doc, path, value],
      ];
    }
    // Compare bytes: the unquoted text would otherwise take a case-insensitive collation.
    return [
      `${type} = 'STRING' AND CAST(JSON_UNQUOTE(JSON_EXTRACT(??, ?)) AS BINARY) = CAST(? AS BINARY)`,
      [doc, path, doc, path, value],
    ];
  },
};
