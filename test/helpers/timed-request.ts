// One HTTP request that never rejects: it resolves with the answer, or with how the connection
// failed (refused, reset, no answer in time), and how long it took. For suites that measure a
// server under faults, where a failed connection is a result to count, not an exception. Bodies,
// or whole requests, can be sent slowly: requests still in flight when a shutdown begins.
import http from 'node:http';
import net from 'node:net';
import type { Exchange } from './spec';

export interface TimedExchange extends Exchange {
  /** Date.now() when the request was sent, and when it was answered or failed. */
  startedAt: number;
  endedAt: number;
  ms: number;
  /**
   * Set when no complete answer came: the socket error's code (ECONNREFUSED, ECONNRESET, …),
   * `timeout` past `timeoutMs`. `status` is 0 then.
   */
  error?: string;
  /** Whether the request went on a socket an earlier request had used (keep-alive agents). */
  reusedSocket: boolean;
}

export interface TimedOptions {
  json?: unknown;
  headers?: Record<string, string>;
  /** Give up (error `timeout`) after this long; default 15 s. */
  timeoutMs?: number;
  /** A keep-alive agent to send on; default a connection of its own. */
  agent?: http.Agent;
  /**
   * Write the body slowly, as a client on a slow link: in `pieces` pieces `intervalMs` apart
   * (headers, with the whole Content-Length, at once). With `stopAfter`, only that many pieces are
   * ever written: the request stays unfinished.
   */
  trickle?: { pieces: number; intervalMs: number; stopAfter?: number };
}

export function timedRequest(base: string, method: string, path: string, options: TimedOptions = {}): Promise<TimedExchange> {
  const headers: Record<string, string> = { ...options.headers };
  let payload: Buffer | undefined;
  if (options.json !== undefined) {
    payload = Buffer.from(JSON.stringify(options.json));
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(payload.length);
  }
  const startedAt = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<TimedExchange, 'startedAt' | 'endedAt' | 'ms' | 'method' | 'path' | 'reusedSocket'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const endedAt = Date.now();
      resolve({ method, path, startedAt, endedAt, ms: endedAt - startedAt, reusedSocket: req.reusedSocket, ...result });
    };
    const failed = (error: string) => finish({ status: 0, headers: {}, body: undefined, text: '', error });
    const req = http.request(new URL(path, base), { method, headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err: NodeJS.ErrnoException) => failed(err.code ?? err.message));
      res.on('aborted', () => failed('ECONNRESET'));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        if (/json/.test(String(res.headers['content-type'])) && text !== '') {
          try {
            body = JSON.parse(text);
          } catch {
            body = text; // the spec check reports a body that is not the JSON it claims
          }
        }
        finish({ status: res.statusCode ?? 0, headers: res.headers, body, text });
      });
    });
    const timer = setTimeout(() => {
      failed('timeout');
      req.destroy();
    }, options.timeoutMs ?? 15000);
    req.on('error', (err: NodeJS.ErrnoException) => failed(err.code ?? err.message));
    if (!options.trickle || !payload) {
      req.end(payload);
      return;
    }
    const { pieces, intervalMs, stopAfter = pieces } = options.trickle;
    const body = payload;
    const pieceSize = Math.ceil(body.length / pieces);
    const writeSlowly = async () => {
      req.flushHeaders();
      for (let i = 0; i < Math.min(pieces, stopAfter) && !settled; i++) {
        await new Promise((r) => setTimeout(r, intervalMs));
        if (!settled) req.write(body.subarray(i * pieceSize, (i + 1) * pieceSize));
      }
      if (stopAfter >= pieces && !settled) req.end();
    };
    void writeSlowly();
  });
}

/**
 * A whole request written as raw bytes, in `pieces` pieces `intervalMs` apart, over a socket of its
 * own: the request line and headers too, as a slow client sends them (Node counts a connection
 * with a request partly received as busy, not idle). The answer is read until the server has sent
 * the body its Content-Length announced, or closed the connection.
 */
export function slowlySentRequest(base: string, raw: string, pieces: number, intervalMs: number): Promise<TimedExchange> {
  const url = new URL(base);
  const [method = '', path = ''] = raw.split(' ', 2);
  const bytes = Buffer.from(raw);
  const pieceSize = Math.ceil(bytes.length / pieces);
  const startedAt = Date.now();
  const socket = net.connect(Number(url.port), url.hostname);
  const writeAll = async () => {
    for (let i = 0; i < pieces && !socket.destroyed; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, intervalMs));
      if (!socket.destroyed) socket.write(bytes.subarray(i * pieceSize, (i + 1) * pieceSize));
    }
  };
  socket.once('connect', () => void writeAll());
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      const endedAt = Date.now();
      const base = { method, path, startedAt, endedAt, ms: endedAt - startedAt, reusedSocket: false };
      const parsed = parseResponse(Buffer.concat(chunks));
      if (parsed) resolve({ ...base, ...parsed });
      else resolve({ ...base, status: 0, headers: {}, body: undefined, text: '', error: error ?? 'closed without an answer' });
      socket.destroy();
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (parseResponse(Buffer.concat(chunks))) settle();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.once('close', settle);
  });
}

/** A complete HTTP/1.1 response (with a Content-Length body), or undefined while it is not all there. */
function parseResponse(raw: Buffer): Pick<TimedExchange, 'status' | 'headers' | 'body' | 'text'> | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...headerLines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const payload = raw.subarray(end + 4);
  if (payload.length < length) return undefined;
  const text = payload.subarray(0, length).toString('utf8');
  let body: unknown = text;
  if (/json/.test(headers['content-type'] ?? '') && text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0), headers, body, text };
}
