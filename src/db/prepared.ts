// The hot paths' statements (gets, lists, a PATCH's update, a backup's insert) run here as
// prepared statements instead of through Knex's per-query builder and runner, which cost more CPU
// than the database itself. They use a connection from Knex's own pool, or the transaction's
// connection when `q` is a transaction.
import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import { PREPARED_STATEMENTS_PER_CONNECTION } from '../../knexfile';
import type { Scope } from '../domain/caller';
import { clientOf, isMysql } from './client';

export type Binding = string | number | null;

/** A statement written for both engines: `?` placeholders, no engine-specific syntax. */
export interface Sql {
  sql: string;
  bindings: readonly Binding[];
}

interface SqliteStatement {
  all(...bindings: Binding[]): unknown[];
  run(...bindings: Binding[]): { changes: number };
}

interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}

type Callback = (err: (Error & { errno?: number }) | null, rows: unknown) => void;

interface MysqlConnection {
  execute(sql: string, values: readonly Binding[], cb: Callback): void;
  query(sql: string, values: readonly Binding[], cb: Callback): void;
}

const ER_MAX_PREPARED_STMT_COUNT_REACHED = 1461;

/** better-sqlite3 statements, prepared once per connection (searches make many shapes: bounded). */
const sqliteStatements = new WeakMap<SqliteConnection, LRUCache<string, SqliteStatement>>();

export function selectRows<T>(q: Knex, statement: Sql): Promise<T[]> {
  return onConnection(q, 'select', statement, {
    mysql: (result) => result as T[],
    sqlite: (prepared, bindings) => prepared.all(...bindings) as T[],
  });
}

/** An INSERT, UPDATE or DELETE; how many rows it changed. */
export function run(q: Knex, statement: Sql): Promise<number> {
  return onConnection(q, statement.sql.slice(0, 6).toLowerCase(), statement, {
    mysql: (result) => (result as { affectedRows: number }).affectedRows,
    sqlite: (prepared, bindings) => prepared.run(...bindings).changes,
  });
}

async function onConnection<T>(
  q: Knex,
  method: string,
  { sql, bindings }: Sql,
  read: { mysql: (result: unknown) => T; sqlite: (statement: SqliteStatement, bindings: readonly Binding[]) => T },
): Promise<T> {
  // Knex's own 'query' event, so that whatever logs or traces Knex's queries sees these too.
  const client = clientOf(q);
  client.emit('query', { method, sql, bindings });
  const connection = await client.acquireConnection();
  try {
    if (client.config.client === 'mysql2') return read.mysql(await mysqlExecute(connection as MysqlConnection, sql, bindings));
    return read.sqlite(sqliteStatement(connection as SqliteConnection, sql), bindings);
  } finally {
    await client.releaseConnection(connection);
  }
}

export async function selectFirst<T>(q: Knex, statement: Sql): Promise<T | undefined> {
  return (await selectRows<T>(q, statement))[0];
}

/**
 * mysql2 prepares each distinct statement once per connection and reuses it. The server's room
 * for prepared statements (max_prepared_stmt_count) is shared by all its clients; when it is
 * full, the statement runs unprepared rather than failing.
 */
function mysqlExecute(connection: MysqlConnection, sql: string, bindings: readonly Binding[]): Promise<unknown> {
  return new Promise((resolve, reject) =>
    connection.execute(sql, bindings, (err, result) => {
      if (err?.errno === ER_MAX_PREPARED_STMT_COUNT_REACHED) {
        connection.query(sql, bindings, (retryErr, retried) => (retryErr ? reject(retryErr) : resolve(retried)));
      } else if (err) reject(err);
      else resolve(result);
    }),
  );
}

/** The condition selecting the rows a scope sees: its project's, or (byUser) its user's there. */
export function scopeCondition(scope: Scope, table?: string): Sql {
  const prefix = table ? `${table}.` : '';
  if (scope.everyProject) return { sql: '1 = 1', bindings: [] };
  return scope.byUser
    ? { sql: `${prefix}project_id = ? AND ${prefix}user_id = ?`, bindings: [scope.projectId, scope.userId] }
    : { sql: `${prefix}project_id = ?`, bindings: [scope.projectId] };
}

/**
 * The statement reading one of the scope's items by its id (the id indexes answer it). Both
 * forms are written once.
 */
export function ownedItem(table: string, idColumn: string, columns: string): (scope: Scope, id: string) => Sql {
  const byProject = `SELECT ${columns} FROM ${table} WHERE ${idColumn} = ? AND project_id = ?`;
  const byUser = `${byProject} AND user_id = ?`;
  const anywhere = `SELECT ${columns} FROM ${table} WHERE ${idColumn} = ?`;
  return (scope, id) =>
    scope.everyProject
      ? { sql: anywhere, bindings: [id] }
      : scope.byUser
        ? { sql: byUser, bindings: [id, scope.projectId, scope.userId] }
        : { sql: byProject, bindings: [id, scope.projectId] };
}

/**
 * `read` as a locking read when it runs inside a transaction on MySQL/MariaDB: the rows it finds
 * (and, through the index, the gaps where they would be) stay locked until commit, so writers
 * queue rather than clash. SQLite's transactions already run one at a time.
 */
export function lockingRead(db: Knex, trx: Knex.Transaction | undefined, read: Sql): Sql {
  return trx !== undefined && isMysql(db) ? { sql: `${read.sql} FOR UPDATE`, bindings: read.bindings } : read;
}

/** DELETE of the scope's item with this id (only at `version`, when given). */
export function scopedDelete(table: string, idColumn: string, scope: Scope, id: string, version?: number): Sql {
  const owner = scopeCondition(scope);
  const sql = `DELETE FROM ${table} WHERE ${idColumn} = ? AND ${owner.sql}`;
  return version === undefined
    ? { sql, bindings: [id, ...owner.bindings] }
    : { sql: `${sql} AND version = ?`, bindings: [id, ...owner.bindings, version] };
}

/** A one-row INSERT of `row` (column -> value). */
export function insertRow(table: string, row: Record<string, Binding>): Sql {
  const columns = Object.keys(row);
  return {
    sql: `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    bindings: Object.values(row),
  };
}

/** Rows per statement when inserting many (imports, seeding): SQLite takes at most 500 terms in
 * the compound SELECT Knex builds for a multi-row INSERT. */
export const INSERT_BATCH_ROWS = 500;

/** Knex-built SELECTs (searches) run the same way, skipping only Knex's runner. */
export const fromBuilder = (query: Knex.QueryBuilder): Sql => {
  const { sql, bindings } = query.toSQL().toNative();
  return { sql, bindings: bindings as Binding[] };
};

function sqliteStatement(connection: SqliteConnection, sql: string): SqliteStatement {
  let statements = sqliteStatements.get(connection);
  if (!statements) sqliteStatements.set(connection, (statements = new LRUCache({ max: PREPARED_STATEMENTS_PER_CONNECTION })));
  let statement = statements.get(sql);
  if (!statement) statements.set(sql, (statement = connection.prepare(sql)));
  return statement;
}
