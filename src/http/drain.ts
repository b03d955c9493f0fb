// Graceful shutdown: stop accepting connections, let the requests in flight finish (a trickled
// upload, a slow search, a write about to commit), close each connection once its response is
// sent, and cut what is still running when the drain time is up.
//
// The bookkeeping is per connection (a Set entry when one opens) and a count of the handlers
// running: nothing per request is linked from a long-lived structure. A Map entry per request
// kept dead requests alive through the Map's discarded tables until a full collection, tripling
// the garbage collector's work on the lightest requests (docs/PERFORMANCE.md).
import type http from 'node:http';
import net from 'node:net';

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
   * "METHOD /path" and a count of the handlers whose client had gone.
   */
  drain(timeoutMs: number): Promise<string[]>;
}

/**
 * Told by the app's one middleware when a handler starts and ends (in a `finally`): an extra
 * middleware level would cost promises on every request.
 */
export interface RunningHandlers {
  started(): void;
  ended(): void;
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
  /** Handlers running, whether or not their client is still there: each holds the database. */
  let running = 0;
  let draining = false;
  let handlersEnded: (() => void) | undefined;

  return {
    get draining() {
      return draining;
    },
    get inFlight() {
      return running;
    },

    handlers: {
      started() {
        running++;
      },
      ended() {
        running--;
        if (running === 0) handlersEnded?.();
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
          // The requests of the connections still open (Node's own link to the response in
          // progress), then the handlers whose client has gone.
          const cut: string[] = [];
          let withClient = 0;
          for (const socket of connections) {
            const res = socket._httpMessage;
            if (!res || res.writableFinished) continue;
            const request = `${res.req.method} ${res.req.url?.split('?')[0]}`;
            if (res.headersSent) cut.push(`${request} (response still being sent)`);
            else {
              cut.push(request);
              withClient++;
            }
          }
          if (running > withClient) cut.push(`${running - withClient} more whose client had gone`);
          server.closeAllConnections();
          resolve(cut);
        }, timeoutMs);
        // Stop listening now, leaving connections be; calls back when the last one has closed.
        net.Server.prototype.close.call(server, () => {
          const done = () => {
            clearTimeout(deadline);
            resolve([]);
          };
          if (running === 0) done();
          else handlersEnded = done;
        });
        // Node's own close() would also close idle connections at once, resetting those whose
        // request has arrived but is not read yet. Two turns of the event loop read it first.
        afterTurns(2, () => server.close()); // Node's: closes idle connections, stops its timeout checks
      });
    },
  };
}
