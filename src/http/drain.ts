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
   * Stops accepting (then calls `stoppedListening`); resolves once every connection has closed and every handler has ended, or
   * when `timeoutMs` has passed, with what was then still in flight (and was cut), as
   * "METHOD /path" and a count of the handlers whose client had gone.
   */
  drain(timeoutMs: number, stoppedListening?: () => void): Promise<string[]>;
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

/** How long the drain keeps accepting the connections the kernel had already queued. */
const ACCEPT_QUEUE_MS = 1000;
/** How long a connection accepted just before shutdown is given to send its request. */
const FRESH_GRACE_MS = 1000;

/** Runs `work` after `turns` more turns of the event loop (each with its poll for I/O). */
const afterTurns = (turns: number, work: () => void): void => {
  if (turns === 0) work();
  else setImmediate(() => afterTurns(turns - 1, work));
};

export function createDrain(server: http.Server): Drain {
  const connections = new Set<ServingSocket>();
  /** Connections accepted so far: the drain waits for the count to stop rising. */
  let accepted = 0;
  server.on('connection', (socket: ServingSocket) => {
    accepted++;
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

    drain(timeoutMs, stoppedListening) {
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
        // Connections the kernel has queued but Node has not accepted yet would be reset by
        // closing the listener at once. Node accepts one per turn of the event loop when the
        // loop is busy (on SQLite a queue of them builds up behind synchronous statements), so
        // the listener stays open until two turns have passed without one, for at most
        // ACCEPT_QUEUE_MS.
        const acceptUntil = Date.now() + Math.min(ACCEPT_QUEUE_MS, timeoutMs);
        let seen = accepted;
        let quietTurns = 0;
        const whenQueueEmpty = (work: () => void) => {
          quietTurns = accepted === seen ? quietTurns + 1 : 0;
          seen = accepted;
          if (quietTurns >= 2 || Date.now() >= acceptUntil) work();
          else setImmediate(() => whenQueueEmpty(work));
        };
        setImmediate(() =>
          whenQueueEmpty(() => {
            // Stop listening, leaving connections be; calls back when the last one has closed.
            net.Server.prototype.close.call(server, () => {
              const done = () => {
                clearTimeout(deadline);
                resolve([]);
              };
              if (running === 0) done();
              else handlersEnded = done;
            });
            stoppedListening?.();
            // Node's own close() closes idle connections at once (and stops its timeout checks).
            // That would reset those whose request has arrived but is not read yet (two more turns
            // read it), and those accepted just now whose client has not sent its request yet:
            // they are given FRESH_GRACE_MS to send it, and are answered with `Connection: close`.
            const graceEnds = Date.now() + FRESH_GRACE_MS;
            const closeIdle = () => {
              const awaited = [...connections].some((socket) => socket.bytesRead === 0 && !socket.destroyed);
              if (awaited && Date.now() < graceEnds) setTimeout(closeIdle, 10);
              else server.close();
            };
            afterTurns(2, closeIdle);
          }),
        );
      });
    },
  };
}
