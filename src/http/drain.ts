// Graceful shutdown: stop accepting connections, let the requests in flight finish (a trickled
// upload, a slow search, a write about to commit), close each connection once its response is
// sent, and cut what is still running when the drain time is up.
//
// The bookkeeping is per connection (a Set entry when one opens) and per handler (a Map entry),
// never a listener, closure or promise per request: those were the largest share of the extra
// CPU per request measured on the lightest requests (docs/PERFORMANCE.md).
import type http from 'node:http';
import net from 'node:net';
import type Koa from 'koa';

export interface Drain {
  /**
   * True from the moment shutdown begins: the health check reports it to load balancers, and
   * every response then says `Connection: close` (Node closes the connection after it).
   */
  readonly draining: boolean;
  /** The handlers running, whether or not their client is still there: the drain waits for them. */
  readonly handlers: RunningHandlers;
  /** How many are running now (the metrics' requests in flight). */
  readonly inFlight: number;
  /**
   * Stops accepting; resolves once every connection has closed and every handler has ended, or
   * when `timeoutMs` has passed, with what was then still in flight (and was cut), as
   * "METHOD /path (N s)".
   */
  drain(timeoutMs: number): Promise<string[]>;
}

/**
 * Told by the app's one middleware when a handler starts and ends (in a `finally`): an extra
 * middleware level would cost promises on every request.
 */
export interface RunningHandlers {
  started(ctx: Koa.Context): void;
  ended(ctx: Koa.Context): void;
}

/** Node's own: the response a connection is serving now (also read by protocol.ts). */
export type ServingSocket = net.Socket & { _httpMessage?: http.ServerResponse | null };

/** Runs `work` after `turns` more turns of the event loop (each with its poll for I/O). */
const afterTurns = (turns: number, work: () => void): void => {
  if (turns === 0) work();
  else setImmediate(() => afterTurns(turns - 1, work));
};

export function createDrain(server: http.Server): Drain {
  const connections = new Set<ServingSocket>();
  server.on('connection', (socket: ServingSocket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  /** Handlers running, with when they started: one whose client has gone still holds the database. */
  const running = new Map<Koa.Context, number>();
  let draining = false;
  let handlersEnded: (() => void) | undefined;

  return {
    get draining() {
      return draining;
    },
    get inFlight() {
      return running.size;
    },

    handlers: {
      started(ctx) {
        running.set(ctx, Date.now());
      },
      ended(ctx) {
        running.delete(ctx);
        if (running.size === 0) handlersEnded?.();
      },
    },

    drain(timeoutMs) {
      draining = true;
      for (const socket of connections) {
        const res = socket._httpMessage;
        if (!res) continue;
        if (!res.headersSent) res.setHeader('Connection', 'close');
        // Its connection, kept alive, is idle once this response is out.
        else res.once('close', () => setImmediate(() => server.closeIdleConnections()));
      }
      return new Promise((resolve) => {
        const deadline = setTimeout(() => {
          const now = Date.now();
          const cut = [...running].map(([ctx, since]) => `${ctx.method} ${ctx.path} (${((now - since) / 1000).toFixed(1)} s)`);
          // Responses whose handler has ended but which the client is still being sent.
          for (const socket of connections) {
            const res = socket._httpMessage;
            if (res && !res.writableFinished && ![...running.keys()].some((ctx) => ctx.res === res)) {
              cut.push(`${res.req.method} ${res.req.url?.split('?')[0]} (response still being sent)`);
            }
          }
          server.closeAllConnections();
          resolve(cut);
        }, timeoutMs);
        // Stop listening now, leaving connections be; calls back when the last one has closed.
        net.Server.prototype.close.call(server, () => {
          const done = () => {
            clearTimeout(deadline);
            resolve([]);
          };
          if (running.size === 0) done();
          else handlersEnded = done;
        });
        // Node's own close() would also close idle connections at once, resetting those whose
        // request has arrived but is not read yet. Two turns of the event loop read it first.
        afterTurns(2, () => server.close()); // Node's: closes idle connections, stops its timeout checks
      });
    },
  };
}
