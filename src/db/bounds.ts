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
  stream?: { once(event: 'close', listener: () => void): unknown };
}

/** A connection's statement in flight: Knex and prepared.ts send one at a time per connection. */
interface InFlight {
  deadline: number;
  callback: Callback | undefined;
  expire(): void;
}

/**
 * The connections bounded, checked by one sweep every SWEEP_MS. A timer per statement was the
 * obvious way, but objects made per statement and linked from long-lived ones (timer lists,
 * tables) kept dead requests alive until a full collection, tripling the garbage collector's
 * work on the lightest requests (docs/PERFORMANCE.md). So nothing here is made per statement:
 * each connection has one record and one answer callback, overwritten as statements come.
 */
const SWEEP_MS = 100;
const watched = new Set<InFlight>();
let sweeper: NodeJS.Timeout | undefined;

function sweep(): void {
  const now = Date.now();
  for (const statement of watched) if (statement.callback && now >= statement.deadline) statement.expire();
}

/**
 * Bounds each callback-style `query`/`execute` on a mysql2 connection: past the timeout (and at
 * most SWEEP_MS later) the caller gets a QueryTimeout and the connection is destroyed, since a
 * statement still in flight leaves it unusable. Knex's pool validates connections and drops
 * destroyed ones. (A write given up on this way may still be applied if the database comes back
 * and runs it: only the database's own abort, max_statement_time, is sure to undo it.)
 */
export function boundStatements(connection: BoundedMysqlConnection, timeoutMs: number): void {
  const statement: InFlight = {
    deadline: 0,
    callback: undefined,
    expire() {
      const callback = statement.callback!;
      statement.callback = undefined;
      connection.destroy();
      callback(new QueryTimeout(timeoutMs));
    },
  };
  const answered: Callback = (err, ...results) => {
    const callback = statement.callback;
    if (!callback) return; // given up on already
    statement.callback = undefined;
    callback(err, ...results);
  };
  watched.add(statement);
  sweeper ??= setInterval(sweep, SWEEP_MS).unref();
  connection.stream?.once('close', () => {
    watched.delete(statement);
    if (watched.size > 0) return;
    clearInterval(sweeper);
    sweeper = undefined;
  });
  for (const method of ['query', 'execute'] as const) {
    const send = connection[method].bind(connection);
    connection[method] = (...args: unknown[]) => {
      const at = args.findIndex((arg) => typeof arg === 'function');
      // Streams and promises (not used by this server), and a second statement queued behind
      // one in flight (neither Knex nor prepared.ts does that), go unbounded.
      if (at < 0 || statement.callback) return send(...args);
      statement.callback = args[at] as Callback;
      statement.deadline = Date.now() + timeoutMs;
      args[at] = answered;
      return send(...args);
    };
  }
}
