// Driver errors that mean something to the layers above, and the write conflict they retry on.

/** A UNIQUE or PRIMARY KEY constraint refused the write (SQLite or MySQL/MariaDB). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** A write found the row at another version than it read: the unit of work starts again. */
export class WriteConflict extends Error {}

/**
 * Driver errors that mean the database cannot serve now (not that a statement is wrong): it is
 * down, unreachable, hung, out of connections, shutting down or read-only, or writers kept
 * colliding past every retry. They answer 503; anything else from the database is a bug.
 */
const UNAVAILABLE = new Set([
  // the network and mysql2
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'QUERY_TIMEOUT',
  // MySQL / MariaDB
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_NORMAL_SHUTDOWN',
  'ER_SHUTDOWN_COMPLETE',
  'ER_QUERY_INTERRUPTED',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_OPTION_PREVENTS_STATEMENT', // read_only
  'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION',
  'ER_UNKNOWN_COM_ERROR', // a Galera node not yet ready
  // SQLite
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_READONLY',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_CANTOPEN',
]);

/** MariaDB's max_statement_time abort, which mysql2 has no code name for. */
const ER_STATEMENT_TIMEOUT = 1969;

export function isDatabaseUnavailable(err: unknown): boolean {
  if (err instanceof WriteConflict) return true;
  const { code, errno, name, message } = (err ?? {}) as { code?: unknown; errno?: unknown; name?: unknown; message?: unknown };
  if (name === 'KnexTimeoutError') return true; // no connection from the pool in time
  if (errno === ER_STATEMENT_TIMEOUT) return true;
  if (typeof code === 'string') return UNAVAILABLE.has(code) || /^SQLITE_(BUSY|LOCKED|READONLY|IOERR|FULL|CANTOPEN)_/.test(code);
  // mysql2 refuses commands on a connection that already failed, and Knex any query once its pool
  // is closed (shutting down), both without a code.
  return typeof message === 'string' && /connection is in closed state|^Unable to acquire a connection/.test(message);
}

/** A failure's code and message on one line, for logs: never sent to clients. */
export function describeFailure(err: unknown): string {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? (message.split('\n')[0] ?? '') : String(err);
  return typeof code === 'string' && !text.includes(code) ? `${code}: ${text}` : text;
}
