// Turns a database URL into a Knex configuration: the one place that knows about drivers.
import path from 'node:path';
import type { Knex } from 'knex';
import { BACKSTOP_MS, boundStatements, type BoundedMysqlConnection, type DatabaseBounds } from './src/db/bounds';

/** The embedded database's file name inside the data directory, when no URL is configured. */
export const DEFAULT_DATABASE_FILE = 'freezer.sqlite';

/** The embedded database in `dataDir`: the default database URL. */
export const defaultDatabaseUrl = (dataDir: string) => `sqlite:${path.join(dataDir, DEFAULT_DATABASE_FILE)}`;

/** A database URL fit for logs and error lines: never print a password. */
export const redactDatabaseUrl = (url: string) => url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');

/**
 * Statements each connection keeps prepared (src/db/prepared.ts), least recently used dropped
 * first. Searches make many shapes; MariaDB allows 16,382 prepared statements server-wide.
 */
export const PREPARED_STATEMENTS_PER_CONNECTION = 100;

export const DEFAULT_MYSQL_POOL_SIZE = 32;

export class DatabaseUrlError extends Error {}

/** The part of a better-sqlite3 connection a pool's afterCreate uses. */
interface SqliteSession {
  pragma(source: string): unknown;
}

/**
 * Knex's own console lines (a stack per failed connection attempt, warnings about DDL in
 * transactions) would repeat what the failure log says once per request, or say nothing useful.
 */
const QUIET: Knex.Logger = { warn() {}, error() {}, debug() {}, deprecate() {} };

/** MySQL's error for a variable it does not have (max_statement_time is MariaDB's). */
const ER_UNKNOWN_SYSTEM_VARIABLE = 1193;

/**
 * Accepted forms:
 *  - `sqlite:<file>` or `sqlite://<file>` (relative to the working directory), `sqlite::memory:`
 *  - `mysql://user:pass@host:port/db` (also `mariadb://`); `?socketPath=/run/mysqld/mysqld.sock` works
 * `bounds` limit how long a statement and a wait for a connection may take (src/db/bounds.ts);
 * without them (migrations, tools) nothing is limited.
 */
export function knexConfig(databaseUrl: string, bounds?: DatabaseBounds): Knex.Config {
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!file) throw new DatabaseUrlError(`database URL "${databaseUrl}" names no file`);
    return {
      client: 'better-sqlite3',
      log: QUIET,
      connection: { filename: file === ':memory:' ? file : path.resolve(file) },
      useNullAsDefault: true,
      ...(bounds && { acquireConnectionTimeout: bounds.acquireTimeoutMs }),
      // better-sqlite3 is synchronous: one connection serialises writes, which SQLite needs anyway.
      pool: {
        min: 1,
        max: 1,
        afterCreate: (connection: SqliteSession, done: (err: Error | null, connection: SqliteSession) => void) => {
          // WAL lets readers proceed during a write; foreign keys are off by default in SQLite;
          // another process's write lock is waited for as long as a statement may take, no longer.
          connection.pragma('journal_mode = WAL');
          connection.pragma('foreign_keys = ON');
          if (bounds) connection.pragma(`busy_timeout = ${bounds.queryTimeoutMs}`);
          done(null, connection);
        },
      },
    };
  }
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new DatabaseUrlError(`database URL "${databaseUrl}" is not a URL`);
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new DatabaseUrlError(`database URL "${databaseUrl}" must start with sqlite:, mysql:// or mariadb://`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new DatabaseUrlError(`database URL "${databaseUrl}" names no database`);
  const socketPath = url.searchParams.get('socketPath') ?? undefined;
  return {
    client: 'mysql2',
    log: QUIET,
    connection: {
      host: socketPath ? undefined : url.hostname || '127.0.0.1',
      port: socketPath ? undefined : Number(url.port || 3306),
      socketPath,
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database,
      charset: 'utf8mb4',
      supportBigNumbers: true,
      maxPreparedStatements: PREPARED_STATEMENTS_PER_CONNECTION,
      timezone: 'Z',
      ...(bounds && { connectTimeout: bounds.acquireTimeoutMs }),
    },
    ...(bounds && { acquireConnectionTimeout: bounds.acquireTimeoutMs }),
    // Under load each request holds a connection for one round trip; with fewer connections than
    // concurrent requests they queue for the pool (32 measured ~25% faster than 10 at 32 clients).
    pool: {
      min: 0,
      max: Number(url.searchParams.get('poolSize') ?? DEFAULT_MYSQL_POOL_SIZE),
      // Pages read one index in list order and stop at the limit. Intersecting two indexes (a
      // user's rows and a project's client's, say) reads both ranges whole and sorts the result.
      afterCreate: (
        connection: BoundedMysqlConnection,
        done: (err: Error | null, connection: BoundedMysqlConnection) => void,
      ) => {
        connection.query("SET SESSION optimizer_switch = 'index_merge_intersection=off'", (err: Error | null) => {
          if (err || !bounds) return done(err, connection);
          boundStatements(connection, bounds.queryTimeoutMs + BACKSTOP_MS);
          connection.query(
            `SET SESSION max_statement_time = ${bounds.queryTimeoutMs / 1000}`,
            (err: (Error & { errno?: number }) | null) =>
              done(err?.errno === ER_UNKNOWN_SYSTEM_VARIABLE ? null : err, connection),
          );
        });
      },
    },
  };
}
