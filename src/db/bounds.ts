// Time bounds on the database, applied to every connection as the pool makes it (knexfile.ts):
// a database that stops answering costs a request at most these, never as long as it hangs.

export interface DatabaseBounds {
  /** A statement without an answer by then fails; its connection is destroyed, not reused. */
  queryTimeoutMs: number;
  /** Waiting for a connection from the pool (or for a new one to connect) fails after this. */
  acquireTimeoutMs: number;
}

export const DEFAULT_BOUNDS: DatabaseBounds = { queryTimeoutMs: 5000, acquireTimeoutMs: 2000 };

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
 * leaves it unusable. Knex's pool validates connections and drops destroyed ones.
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
