// Graceful shutdown: stop accepting connections, let the requests in flight finish (a trickled
// upload, a slow search, a write about to commit), close each connection once its response is
// sent, and cut what is still running when the drain time is up.
import type http from 'node:http';
import net from 'node:net';

export interface Drain {
  /** True from the moment shutdown begins: the health check reports it to load balancers. */
  readonly draining: boolean;
  /** Handles every request that arrives, through `handle`, keeping count of those in flight. */
  track(req: http.IncomingMessage, res: http.ServerResponse, handle: () => Promise<unknown>): void;
  /**
   * Stops accepting; resolves once every connection has closed, or when `timeoutMs` has passed,
   * with the requests that were then still in flight (and were cut), as "METHOD /path (N s)".
   */
  drain(timeoutMs: number): Promise<string[]>;
}

/** Runs `work` after `turns` more turns of the event loop (each with its poll for I/O). */
const afterTurns = (turns: number, work: () => void): void => {
  if (turns === 0) work();
  else setImmediate(() => afterTurns(turns - 1, work));
};

export function createDrain(server: http.Server): Drain {
  const inFlight = new Map<http.ServerResponse, { req: http.IncomingMessage; since: number }>();
  /** Handlers still running: one whose client has gone still holds the database until it ends. */
  const handling = new Set<Promise<unknown>>();
  let draining = false;
  let closingIdle = false;
  return {
    get draining() {
      return draining;
    },

    track(req, res, handle) {
      inFlight.set(res, { req, since: Date.now() });
      res.once('close', () => {
        inFlight.delete(res);
        // A kept-alive connection whose response was under way when shutdown began is idle now.
        if (closingIdle) setImmediate(() => server.closeIdleConnections());
      });
      // Node closes the connection after a response that says so.
      if (draining) res.setHeader('Connection', 'close');
      const handled = handle();
      handling.add(handled);
      void handled.finally(() => handling.delete(handled));
    },

    drain(timeoutMs) {
      draining = true;
      for (const res of inFlight.keys()) if (!res.headersSent) res.setHeader('Connection', 'close');
      return new Promise((resolve) => {
        const deadline = setTimeout(() => {
          const now = Date.now();
          const cut = [...inFlight.values()].map(
            ({ req, since }) => `${req.method} ${req.url?.split('?')[0]} (${((now - since) / 1000).toFixed(1)} s)`,
          );
          server.closeAllConnections();
          resolve(cut);
        }, timeoutMs);
        // Stop listening now, leaving connections be; calls back when the last one has closed.
        net.Server.prototype.close.call(server, () => {
          void Promise.allSettled([...handling]).then(() => {
            clearTimeout(deadline);
            resolve([]);
          });
        });
        // Node's own close() would also close idle connections at once, resetting those whose
        // request has arrived but is not read yet. Two turns of the event loop read it first.
        afterTurns(2, () => {
          closingIdle = true;
          server.close(); // Node's: closes idle connections, stops its timeout checks
        });
      });
    },
  };
}
