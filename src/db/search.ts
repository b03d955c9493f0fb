// Turns a list request's search (checked: src/domain/search.ts) into SQL conditions, so that filtering happens before
// limit/offset and pages stay correct. Keys and values are always bound parameters, never SQL.
import type { Knex } from 'knex';
import type { Scalar, SearchTerms } from '../domain/search';
import { isMysql } from './client';

type Sql = [string, Knex.RawBinding[]];

/** Where a resource keeps the values a search can name. */
export interface SearchTarget {
  /** Keys held in their own indexed string columns (key -> column); only the column is consulted. */
  columns: Record<string, string>;
  /** The JSON column every other key is looked up in. */
  document: string;
  /** JSON paths of the objects a key is looked up in, such as '$' and '$.job_schedule'. */
  objects: string[];
  /** Arrays whose every element is looked in, at `member` within the element. */
  arrays?: { array: string; member: string }[];
  /** Column holding a time stamp in epoch seconds, for `time_after` / `time_before`. */
  timeColumn?: string;
}

/**
 * Adds the search's conditions (checked by src/domain/search.ts). A pair `{key: value}` holds when
 * some place the resource keeps the key has the same JSON type and value (`"200"` is not `200`);
 * `{key: null}` holds when no place has a non-null value. Free text matches documents containing
 * it, ignoring case. Time bounds apply where the resource keeps a time stamp.
 */
export function applySearch(query: Knex.QueryBuilder, db: Knex, target: SearchTarget, terms: SearchTerms | undefined): void {
  if (!terms) return;
  const dialect = isMysql(db) ? mysql : sqlite;
  for (const condition of terms.conditions) {
    if ('text' in condition) {
      // '!' escapes LIKE's wildcards: a backslash means different things in SQLite and MySQL literals.
      const pattern = `%${condition.text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
      query.whereRaw("LOWER(??) LIKE ? ESCAPE '!'", [target.document, pattern]);
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
  const suffix = key
    .split('.')
    .map((segment) => `."${segment}"`)
    .join('');
  // Per place: "has this value" for a value, "has any non-null value" for null (then negated).
  const test = (doc: string, path: string): Sql =>
    value === null ? dialect.hasValue(doc, path) : dialect.equals(doc, path, value);
  const places: Sql[] = [
    ...target.objects.map((object) => test(identifier(target.document), object + suffix)),
    ...(target.arrays ?? []).map(({ array, member }) =>
      dialect.anyElement(target.document, array, member, (element) => test(element, '$' + suffix)),
    ),
  ];
  const any = `(${places.map(([sql]) => `(${sql})`).join(' OR ')})`;
  const bindings = places.flatMap(([, b]) => b);
  return value === null ? [`NOT ${any}`, bindings] : [any, bindings];
}

/**
 * The JSON functions of one engine. `doc` is SQL naming a JSON text: a column or an element of an
 * array. Each condition is TRUE or FALSE, never NULL.
 */
interface JsonDialect {
  equals(doc: string, path: string, value: Exclude<Scalar, null>): Sql;
  hasValue(doc: string, path: string): Sql;
  /** EXISTS an element of `array` whose `member` object satisfies `inner(elementSql)`. */
  anyElement(column: string, array: string, member: string, inner: (element: string) => Sql): Sql;
}

const sqlite: JsonDialect = {
  equals(doc, path, value) {
    if (typeof value === 'boolean') return [`COALESCE(json_type(${doc}, ?) = ?, 0)`, [path, String(value)]];
    if (typeof value === 'number') {
      return [`COALESCE(json_type(${doc}, ?) IN ('integer', 'real') AND json_extract(${doc}, ?) = ?, 0)`, [path, path, value]];
    }
    return [`COALESCE(json_type(${doc}, ?) = 'text' AND json_extract(${doc}, ?) = ?, 0)`, [path, path, value]];
  },
  hasValue: (doc, path) => [`COALESCE(json_type(${doc}, ?) <> 'null', 0)`, [path]],
  anyElement(column, array, member, inner) {
    const [sql, bindings] = inner(`json_extract(e.value, '${literalPath(member)}')`);
    return [`EXISTS (SELECT 1 FROM json_each(??, ?) AS e WHERE ${sql})`, [column, array, ...bindings]];
  },
};

const mysql: JsonDialect = {
  equals(doc, path, value) {
    const type = `JSON_TYPE(JSON_EXTRACT(${doc}, ?))`;
    if (typeof value === 'boolean') {
      return [`COALESCE(${type} = 'BOOLEAN' AND JSON_UNQUOTE(JSON_EXTRACT(${doc}, ?)) = ?, 0)`, [path, path, String(value)]];
    }
    if (typeof value === 'number') {
      return [
        `COALESCE(${type} IN ('INTEGER', 'UNSIGNED INTEGER', 'DOUBLE', 'DECIMAL') AND JSON_EXTRACT(${doc}, ?) = ?, 0)`,
        [path, path, value],
      ];
    }
    // Compare bytes: the unquoted text would otherwise take a case-insensitive collation.
    return [
      `COALESCE(${type} = 'STRING' AND CAST(JSON_UNQUOTE(JSON_EXTRACT(${doc}, ?)) AS BINARY) = CAST(? AS BINARY), 0)`,
      [path, path, value],
    ];
  },
  hasValue: (doc, path) => [`COALESCE(JSON_TYPE(JSON_EXTRACT(${doc}, ?)) <> 'NULL', 0)`, [path]],
  anyElement(column, array, member, inner) {
    // JSON_TABLE's paths must be literals.
    const [sql, bindings] = inner('jt.member');
    return [
      `EXISTS (SELECT 1 FROM JSON_TABLE(??, '${literalPath(array)}[*]' COLUMNS (member JSON PATH '${literalPath(member)}')) AS jt WHERE ${sql})`,
      [column, ...bindings],
    ];
  },
};

/** A column name from a resource definition, quoted (both engines accept backticks). */
function identifier(name: string): string {
  if (!/^[a-z_]+$/.test(name)) throw new Error(`unsafe column name ${name}`);
  return `\`${name}\``;
}

/** Paths written into SQL come from resource definitions, never requests; this keeps it so. */
function literalPath(path: string): string {
  if (!/^\$(\.[a-z_]+)*$/.test(path)) throw new Error(`unsafe JSON path ${path}`);
  return path;
}
