// Time bounds on the database, applied to every connection as the pool makes it (knexfile.ts):
// a database that stops answering costs a request at most these, never as long as it hangs.

export interface DatabaseBounds {
  /**
   * MariaDB aborts a statement that runs (or waits for a lock) longer, undoing it; a database
   * that does not answer at all is given up on BACKSTOP_MS later, its connection destroyed.
   */
  queryTimeoutMs: number;
  /** Waiting for a connection from the pool (or for a new one to connect) fails after this. */
  acquireTimeoutMs: number;
}

export const DEFAULT_BOUNDS: DatabaseBounds = { queryTimeoutMs: 5000, acquireTimeoutMs: 2000 };

/** Past the database's own abort: the round trip of its error, on a database that still answers. */
export const BACKSTOP_MS = 500;

/** A statement had no answer within the query timeout. */
export class QueryTimeout extends Error {
  readonly code = 'QUERY_TIMEOUT';
  constructor(timeoutMs: number) {
    super(`the database did not answer within ${timeoutMs} ms`);
  }
}

type Callback = (err: Error | null, ...results: unknown[]) => void;

/** The part of a mysql2 connection bounded here: every statement Knex and prepared.ts send. */
export interface BoundedMysqlConnection {
  query(...args: unknown[]): unknown;
  execute(...args: unknown[]): unknown;
  destroy(): void;
}

/**
 * Bounds each callback-style `query`/`execute` on a mysql2 connection: past the timeout the
 * caller gets a QueryTimeout and the connection is destroyed, since a statement still in flight
 * leaves it unusable. Knex's pool validates connections and drops destroyed ones. (A write given
 * up on this way may still be applied if the database comes back and runs it: only the
 * database's own abort, max_statement_time, is sure to undo it.)
 */
export function boundStatements(connection: BoundedMysqlConnection, timeoutMs: number): void {
  for (const method of ['query', 'execute'] as const) {
    const send = connection[method].bind(connection);
    connection[method] = (...args: unknown[]) => {
      const at = args.findIndex((arg) => typeof arg === 'function');
      if (at < 0) return send(...args); // streams and promises: not used by this server
      const callback = args[at] as Callback;
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        connection.destroy();
        callback(new QueryTimeout(timeoutMs));
      }, timeoutMs);
      args[at] = (err: Error | null, ...results: unknown[]) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        callback(err, ...results);
      };
      return send(...args);
    };
  }
}
