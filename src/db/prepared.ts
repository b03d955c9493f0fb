// Reads on the hot paths (GET by id, lists) run here as prepared statements instead of through
// Knex's per-query builder and runner, which cost more CPU than the database itself. They use a
// connection from Knex's own pool, or the transaction's connection when `q` is a transaction.
import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import { PREPARED_STATEMENTS_PER_CONNECTION } from '../../knexfile';
import type { Scope } from '../identity';

export type Binding = string | number;

/** A statement written for both engines: `?` placeholders, no engine-specific syntax. */
export interface Sql {
  sql: string;
  bindings: readonly Binding[];
}

interface SqliteStatement {
  all(...bindings: Binding[]): unknown[];
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

export async function selectRows<T>(q: Knex, { sql, bindings }: Sql): Promise<T[]> {
  const mysql = q.client.config.client === 'mysql2';
  // Knex's own 'query' event, so that whatever logs or traces Knex's queries sees these too.
  q.client.emit('query', { method: 'select', sql, bindings });
  const connection: unknown = await q.client.acquireConnection();
  try {
    if (mysql) return await mysqlRows<T>(connection as MysqlConnection, sql, bindings);
    return sqliteStatement(connection as SqliteConnection, sql).all(...bindings) as T[];
  } finally {
    await q.client.releaseConnection(connection);
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
function mysqlRows<T>(connection: MysqlConnection, sql: string, bindings: readonly Binding[]): Promise<T[]> {
  return new Promise<T[]>((resolve, reject) =>
    connection.execute(sql, bindings, (err, rows) => {
      if (err?.errno === ER_MAX_PREPARED_STMT_COUNT_REACHED) {
        connection.query(sql, bindings, (retryErr, retried) => (retryErr ? reject(retryErr) : resolve(retried as T[])));
      } else if (err) reject(err);
      else resolve(rows as T[]);
    }),
  );
}

/**
 * The statement reading one of the caller's items by its id (ids are unique per owner, and the
 * owner-and-id indexes answer it).
 */
export function ownedItem(table: string, idColumn: string, columns: string): (scope: Scope, id: string) => Sql {
  const sql = `SELECT ${columns} FROM ${table} WHERE ${idColumn} = ? AND user_id = ? AND project_id = ?`;
  return (scope, id) => ({ sql, bindings: [id, scope.userId, scope.projectId] });
}

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
