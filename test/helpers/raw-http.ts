// HTTP/1.1 over a bare TCP socket, for what an HTTP client library will not send: partial or
// malformed requests, requests a byte at a time, requests that never end. Reads back what the
// server wrote and when the server closed the connection.
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export interface RawResponse {
  status: number;
  reason: string;
  /** Lower-cased names; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** How many bytes of the stream it took: anything after them is more than one response. */
  length: number;
}

export interface RawConnection {
  socket: net.Socket;
  /** `performance.now()` once connected. */
  openedAt: number;
  /** The first whole response the server sent and when it was whole; undefined if the socket closed first. */
  response: Promise<{ response: RawResponse; at: number } | undefined>;
  /** When the socket closed, how (`error` for a reset), and every byte the server sent. */
  closed: Promise<{ at: number; error?: string; received: Buffer }>;
  /** Writes unless the socket is already closed (a server may close it while a client still writes). */
  write(bytes: string | Buffer): void;
}

/** Opens a TCP connection to the host and port of `url`. */
export function connectRaw(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    socket.setNoDelay(true);
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let settleResponse!: (value: { response: RawResponse; at: number } | undefined) => void;
    const response = new Promise<{ response: RawResponse; at: number } | undefined>((r) => (settleResponse = r));
    let responded = false;
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (responded) return;
      const parsed = parseResponse(Buffer.concat(chunks), false);
      if (parsed) {
        responded = true;
        settleResponse({ response: parsed, at: performance.now() });
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    const closed = new Promise<{ at: number; error?: string; received: Buffer }>((resolveClosed) =>
      socket.once('close', () => {
        const at = performance.now();
        const received = Buffer.concat(chunks);
        if (!responded) {
          // A response without Content-Length ends with the connection.
          const parsed = parseResponse(received, true);
          settleResponse(parsed && { response: parsed, at });
        }
        resolveClosed({ at, error, received });
      }),
    );
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve({
        socket,
        openedAt: performance.now(),
        response,
        closed,
        write(bytes) {
          if (!socket.destroyed && socket.writable) socket.write(bytes);
        },
      });
    });
    socket.once('error', reject);
  });
}

/**
 * Sends `request` at once on a new connection and waits up to `waitMs` for the server to close it.
 * `closedAfterMs` is undefined when the server left the connection open that long (the client
 * then closes it).
 */
export async function rawExchange(
  url: string,
  request: string | Buffer,
  waitMs = 5000,
): Promise<{ response?: RawResponse; closedAfterMs?: number; error?: string; received: Buffer }> {
  const connection = await connectRaw(url);
  connection.write(request);
  const closed = await within(connection.closed, waitMs);
  if (!closed) connection.socket.destroy();
  const { received, error } = closed ?? (await connection.closed);
  return {
    response: (await connection.response)?.response,
    closedAfterMs: closed && closed.at - connection.openedAt,
    error,
    received,
  };
}

/** `promise`'s value, or undefined if it has not settled within `ms`. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms))),
  ]);
}

/** The first response in `bytes` once it is whole (`ended`: the connection closed, ending a body without length). */
export function parseResponse(bytes: Buffer, ended: boolean): RawResponse | undefined {
  const headEnd = bytes.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine, ...lines] = bytes.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine ?? '');
  // Not HTTP: status 0, so that any check of the status fails and shows what came instead.
  if (!status)
    return { status: 0, reason: `not an HTTP/1.x status line: ${statusLine}`, headers: {}, body: '', length: bytes.length };
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const rest = bytes.subarray(headEnd + 4);
  let body: Buffer;
  let length: number;
  if (headers['content-length'] !== undefined) {
    const bodyLength = Number(headers['content-length']);
    if (rest.length < bodyLength) return undefined;
    body = rest.subarray(0, bodyLength);
    length = headEnd + 4 + bodyLength;
  } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const decoded = dechunk(rest);
    if (!decoded) return undefined;
    [body, length] = [decoded.body, headEnd + 4 + decoded.length];
  } else {
    if (!ended) return undefined;
    [body, length] = [rest, bytes.length];
  }
  return { status: Number(status[1]), reason: status[2]!, headers, body: body.toString('utf8'), length };
}

/** A chunked body and the bytes it took, once its last chunk has arrived (no trailers). */
function dechunk(bytes: Buffer): { body: Buffer; length: number } | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (size === 0) return bytes.length < lineEnd + 4 ? undefined : { body: Buffer.concat(parts), length: lineEnd + 4 };
    if (bytes.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
