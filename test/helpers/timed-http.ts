// One HTTP request, timed, that never throws: for suites that send thousands and count outcomes
// (a connection error is an outcome, status 0, not an exception that stops the loop).
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Exchange } from './spec';

export interface TimedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as text. */
  text: string;
  /** From sending the request to the end of the response body. */
  ms: number;
  /** `performance.now()` when it was sent and when it was answered (or failed): to place it against events. */
  startedAt: number;
  endedAt: number;
  /** Whether it went on a connection an earlier request had used (keep-alive agents). */
  reusedSocket: boolean;
  /** Why no response arrived (status 0): ECONNRESET, ECONNREFUSED, a timeout… */
  error?: string;
}

export interface TimedRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent as application/json (also with GET: the API takes search bodies on lists). */
  json?: unknown;
  /** A keep-alive agent to reuse connections, or `false` for a new connection per request. */
  agent: http.Agent | false;
  /** Give up (status 0, error "timeout") after this long. */
  timeoutMs?: number;
  /**
   * Write the body slowly, as a client on a slow link: in `pieces` pieces `intervalMs` apart (the
   * headers, with the whole Content-Length, at once). With `stopAfter`, only that many pieces are
   * ever written, and the request never ends.
   */
  trickle?: { pieces: number; intervalMs: number; stopAfter?: number };
}

export function timedRequest(base: string, request: TimedRequest): Promise<TimedResponse> {
  const headers: Record<string, string> = { ...request.headers };
  let payload: Buffer | undefined;
  if (request.json !== undefined) {
    payload = Buffer.from(JSON.stringify(request.json));
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(payload.length);
  }
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: Omit<TimedResponse, 'ms' | 'startedAt' | 'endedAt' | 'reusedSocket'>) => {
      if (settled) return;
      settled = true;
      const endedAt = performance.now();
      resolve({ ...result, ms: endedAt - started, startedAt: started, endedAt, reusedSocket: req.reusedSocket });
    };
    const req = http.request(new URL(request.path, base), { method: request.method, headers, agent: request.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        settle({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', (err: NodeJS.ErrnoException) =>
        settle({ status: 0, headers: {}, text: '', error: err.code ?? err.message }),
      );
    });
    req.setTimeout(request.timeoutMs ?? 30000, () => {
      settle({ status: 0, headers: {}, text: '', error: 'timeout' });
      req.destroy();
    });
    req.on('error', (err: NodeJS.ErrnoException) => settle({ status: 0, headers: {}, text: '', error: err.code ?? err.message }));
    if (!request.trickle || !payload) {
      req.end(payload);
      return;
    }
    const { pieces, intervalMs, stopAfter = pieces } = request.trickle;
    const body = payload;
    const size = Math.ceil(body.length / pieces);
    const writeSlowly = async () => {
      req.flushHeaders();
      for (let i = 0; i < Math.min(pieces, stopAfter) && !settled; i++) {
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
        if (!settled) req.write(body.subarray(i * size, (i + 1) * size));
      }
      if (stopAfter >= pieces && !settled) req.end();
    };
    void writeSlowly();
  });
}

/** The exchange as the spec check (test/helpers/spec.ts) reads it: JSON bodies parsed. */
export function exchangeOf(
  request: Pick<TimedRequest, 'method' | 'path'>,
  response: Pick<TimedResponse, 'status' | 'headers' | 'text'>,
): Exchange {
  let body: unknown = response.text;
  if (/json/.test(String(response.headers['content-type'])) && response.text !== '') {
    try {
      body = JSON.parse(response.text);
    } catch {
      // not JSON after all: the spec check says so
    }
  }
  return {
    method: request.method,
    path: request.path,
    status: response.status,
    headers: response.headers,
    body,
    text: response.text,
  };
}

/** A timed request whose answer is also an Exchange for the spec check (JSON bodies parsed). */
export async function timedExchange(base: string, request: TimedRequest): Promise<TimedResponse & Exchange> {
  const response = await timedRequest(base, request);
  return { ...response, ...exchangeOf(request, response) };
}
