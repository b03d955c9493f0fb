// Graceful shutdown: stop accepting connections, let the requests in flight finish (a trickled
// upload, a slow search, a write about to commit), close each connection once its response is
// sent, and cut what is still running when the drain time is up.
import type http from 'node:http';
import net from 'node:net';

/**
 * How long after shutdown begins connections without a request are closed. A request already
 * sent may sit unread in its socket while the event loop is busy (SQLite's statements are
 * synchronous); Node's own close() would reset it as idle at once. One turn of the loop reads it.
 */
const IDLE_GRACE_MS = 250;

export interface Drain {
  /** True from the moment shutdown begins: the health check reports it to load balancers. */
  readonly draining: boolean;
  /** Called for every request as it arrives. */
  track(req: http.IncomingMessage, res: http.ServerResponse): void;
  /**
   * Stops accepting; resolves once every connection has closed, or when `timeoutMs` has passed,
   * with the requests that were then still in flight (and were cut), as "METHOD /path (N s)".
   */
  drain(timeoutMs: number): Promise<string[]>;
}

export function createDrain(server: http.Server): Drain {
  const inFlight = new Map<http.ServerResponse, { request: string; since: number }>();
  let draining = false;
  let closingIdle = false;
  return {
    get draining() {
      return draining;
    },

    track(req, res) {
      inFlight.set(res, { request: `${req.method} ${req.url?.split('?')[0]}`, since: Date.now() });
      res.once('close', () => {
        inFlight.delete(res);
        // A kept-alive connection whose response was under way when shutdown began is idle now.
        if (closingIdle) setImmediate(() => server.closeIdleConnections());
      });
      // Node closes the connection after a response that says so.
      if (draining) res.setHeader('Connection', 'close');
    },

    drain(timeoutMs) {
      draining = true;
      for (const res of inFlight.keys()) if (!res.headersSent) res.setHeader('Connection', 'close');
      return new Promise((resolve) => {
        const deadline = setTimeout(() => {
          const now = Date.now();
          const cut = [...inFlight.values()].map(({ request, since }) => `${request} (${((now - since) / 1000).toFixed(1)} s)`);
          server.closeAllConnections();
          resolve(cut);
        }, timeoutMs);
        const grace = setTimeout(() => {
          closingIdle = true;
          server.close(); // Node's: closes idle connections, stops its timeout checks
        }, IDLE_GRACE_MS);
        // Stops listening, leaving connections be; calls back when the last one has closed.
        net.Server.prototype.close.call(server, () => {
          clearTimeout(deadline);
          clearTimeout(grace);
          resolve([]);
        });
      });
    },
  };
}
