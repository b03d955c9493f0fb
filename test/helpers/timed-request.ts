// One HTTP request that never rejects: it resolves with the answer, or with how the connection
// failed (refused, reset, no answer in time), and how long it took. For suites that measure a
// server under faults, where a failed connection is a result to count, not an exception. And a
// request whose body is trickled over a raw socket, for uploads in flight during a shutdown.
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
    req.end(payload);
  });
}

export interface TrickleOptions {
  headers?: Record<string, string>;
  /** The body is written in this many pieces, `intervalMs` apart (the headers go at once). */
  pieces: number;
  intervalMs: number;
  /** Stop writing after this many pieces and leave the request unfinished (Content-Length says more). */
  stopAfter?: number;
}

export interface Trickle {
  /** Resolves when the last piece that will be written has been written. */
  written: Promise<void>;
  /** The answer, or how the connection ended without one (`status` 0, `error` set). */
  answer: Promise<TimedExchange>;
}

/**
 * A request whose body arrives slowly, as from a client on a slow link: over a socket of its own,
 * the headers at once, then the body piece by piece. The answer is read until the server closes
 * the connection or has sent the whole body its Content-Length announced.
 */
export function trickledRequest(base: string, method: string, path: string, body: Buffer, options: TrickleOptions): Trickle {
  const url = new URL(path, base);
  const startedAt = Date.now();
  const socket = net.connect(Number(url.port), url.hostname);
  const head =
    `${method} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: ${body.length}\r\n` +
    Object.entries({ 'Content-Type': 'application/json', ...options.headers })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('') +
    '\r\n';
  const pieceSize = Math.ceil(body.length / options.pieces);
  const written = new Promise<void>((resolve) => {
    const writeAll = async () => {
      socket.write(head);
      const last = Math.min(options.pieces, options.stopAfter ?? options.pieces);
      for (let i = 0; i < last && !socket.destroyed; i++) {
        await new Promise((r) => setTimeout(r, options.intervalMs));
        if (!socket.destroyed) socket.write(body.subarray(i * pieceSize, (i + 1) * pieceSize));
      }
      resolve();
    };
    socket.once('connect', () => void writeAll());
    socket.once('close', () => resolve());
  });
  const answer = new Promise<TimedExchange>((resolve) => {
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
  return { written, answer };
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
