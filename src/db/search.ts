// Turns a list request's search (checked: src/domain/search.ts) into SQL conditions, so that filtering happens before
// limit/offset and pages stay correct. Keys and values are always bound parameters, never SQL.
import type { Knex } from 'knex';
import type { Scalar, SearchTerms } from '../domain/search';
import { isMysql } from './client';

type Sql = [string, Knex.RawBinding[]];

/** Where a resource keeps the values a search can name. */
export interface SearchTarget {
  /**
   * Keys that are the item's own fields, kept in their own indexed string columns (key -> column):
   * only the column is consulted, so that searching on them reads the index; the same key deeper
   * in the document (a backup's `extra.hostname`) is something else's and does not count.
   */
  columns: Record<string, string>;
  /** The JSON column every other key is looked for in, at any depth. */
  document: string;
  /** Column holding a time stamp in epoch seconds, for `time_after` / `time_before`. */
  timeColumn?: string;
}

/**
 * Adds the search's conditions (checked by src/domain/search.ts). A pair `{key: value}` holds when
 * some occurrence of the key, at any depth of the document (objects within objects and lists), has
 * the same JSON type and value (`"200"` is not `200`); `{key: null}` holds when no occurrence has a
 * non-null value. A dotted key `a.b` is a path: its first step is found at any depth, the rest
 * below it through objects. Keys in `columns` are their column only. Free text matches documents
 * containing it, ignoring the case of ASCII letters. Time bounds apply where the resource keeps a time stamp.
 */
export function applySearch(query: Knex.QueryBuilder, db: Knex, target: SearchTarget, terms: SearchTerms | undefined): void {
  if (!terms) return;
  const dialect = isMysql(db) ? mysql : sqlite;
  for (const condition of terms.conditions) {
    if ('text' in condition) {
      // '!' escapes LIKE's wildcards: a backslash means different things in SQLite and MySQL literals.
      // The engine folds both sides alike (SQLite only ASCII letters), so exact text always matches.
      const pattern = `%${condition.text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
      query.whereRaw("LOWER(??) LIKE LOWER(?) ESCAPE '!'", [target.document, pattern]);
      continue;
    }
    const [sql, bindings] = holds(target, dialect, condition.key, condition.value);
    query.whereRaw(condition.negate ? `NOT (${sql})` : sql, bindings);
  }
  if (target.timeColumn) {
    if (terms.timeAfter !== undefined) query.where(target.timeColumn, '>=', terms.timeAfter);
    if (terms.timeBefore !== undefined) query.where(target.timeColumn, '<=', terms.timeBefore);
  }
}

/** The SQL for "the pair holds" (never NULL, so NOT works). */
function holds(target: SearchTarget, dialect: JsonDialect, key: string, value: Scalar): Sql {
  // Own keys only: "constructor" or "toString" must not find Object.prototype's.
  const column = Object.hasOwn(target.columns, key) ? target.columns[key] : undefined;
  if (column) {
    if (value === null) return ['?? IS NULL', [column]];
    if (typeof value !== 'string') return ['1 = 0', []]; // these columns only ever hold strings
    return ['(?? IS NOT NULL AND ?? = ?)', [column, column, value]];
  }
  const [first, ...rest] = key.split('.') as [string, ...string[]];
  const doc = identifier(target.document);
  // "Some occurrence has this value"; for null, "no occurrence has a non-null value".
  if (value === null) {
    const [sql, bindings] = dialect.someOccurrence(doc, first, rest, null);
    return [`NOT ${sql}`, bindings];
  }
  return dialect.someOccurrence(doc, first, rest, value);
}

/**
 * The JSON functions of one engine. `doc` is SQL naming a JSON text. Each condition is TRUE or
 * FALSE, never NULL.
 */
interface JsonDialect {
  /**
   * EXISTS an object member named `first`, at any depth of `doc`, whose value, followed down the
   * object keys `rest`, equals `value` (null: is there and not null).
   */
  someOccurrence(doc: string, first: string, rest: string[], value: Scalar): Sql;
}

/** `$."a"."b"`: keys are checked to be letters, digits, '_' and '-', so quoting them is safe. */
const quotedPath = (prefix: string, keys: string[]) => prefix + keys.map((key) => `."${key}"`).join('');

/** SQLite: json_tree walks every node of the document. */
const sqlite: JsonDialect = {
  someOccurrence(doc, first, rest, value) {
    // `t.key` is an object member's name; a list element's is its index, an integer, which never
    // equals the bound text.
    const [test, bindings] = rest.length
      ? sqliteAt('t.value', quotedPath('$', rest), value, "t.type = 'object'")
      : sqliteNode(value);
    return [`EXISTS (SELECT 1 FROM json_tree(${doc}) AS t WHERE t.key = ? AND ${test})`, [first, ...bindings]];
  },
};

/** The node `t` itself has the value (null: is not null). `atom` is its SQL value. */
function sqliteNode(value: Scalar): Sql {
  if (value === null) return ["t.type <> 'null'", []];
  if (typeof value === 'boolean') return ['t.type = ?', [String(value)]];
  if (typeof value === 'number') return ["t.type IN ('integer', 'real') AND t.atom = ?", [value]];
  return ["t.type = 'text' AND t.atom = ?", [value]];
}

/** The JSON text `doc` has the value at `path`; `guard` first, so a string is never parsed as JSON. */
function sqliteAt(doc: string, path: string, value: Scalar, guard: string): Sql {
  const type = `json_type(${doc}, ?)`;
  if (value === null) return [`${guard} AND COALESCE(${type} <> 'null', 0)`, [path]];
  if (typeof value === 'boolean') return [`${guard} AND COALESCE(${type} = ?, 0)`, [path, String(value)]];
  if (typeof value === 'number') {
    return [`${guard} AND COALESCE(${type} IN ('integer', 'real') AND json_extract(${doc}, ?) = ?, 0)`, [path, path, value]];
  }
  return [`${guard} AND COALESCE(${type} = 'text' AND json_extract(${doc}, ?) = ?, 0)`, [path, path, value]];
}

/** MariaDB/MySQL: the `$**` wildcard collects every occurrence into a list; JSON_TABLE walks it. */
const mysql: JsonDialect = {
  someOccurrence(doc, first, rest, value) {
    const [test, bindings] = mysqlIs('jt.v', value);
    return [
      `EXISTS (SELECT 1 FROM JSON_TABLE(JSON_EXTRACT(${doc}, ?), '$[*]' COLUMNS (v JSON PATH '$')) AS jt WHERE ${test})`,
      [quotedPath('$**', [first, ...rest]), ...bindings],
    ];
  },
};

/** The JSON text `json` is the value (null: is not null). */
function mysqlIs(json: string, value: Scalar): Sql {
  const type = `JSON_TYPE(${json})`;
  if (value === null) return [`COALESCE(${type} <> 'NULL', 0)`, []];
  if (typeof value === 'boolean') {
    return [`COALESCE(${type} = 'BOOLEAN' AND JSON_UNQUOTE(${json}) = ?, 0)`, [String(value)]];
  }
  if (typeof value === 'number') {
    return [
      `COALESCE(${type} IN ('INTEGER', 'UNSIGNED INTEGER', 'DOUBLE', 'DECIMAL') AND JSON_EXTRACT(${json}, '$') = ?, 0)`,
      [value],
    ];
  }
  // Compare bytes: the unquoted text would otherwise take a case-insensitive collation.
  return [`COALESCE(${type} = 'STRING' AND CAST(JSON_UNQUOTE(${json}) AS BINARY) = CAST(? AS BINARY), 0)`, [value]];
}

/** A column name from a resource definition, quoted (both engines accept backticks). */
function identifier(name: string): string {
  if (!/^[a-z_]+$/.test(name)) throw new Error(`unsafe column name ${name}`);
  return `\`${name}\``;
}
