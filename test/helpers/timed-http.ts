// One HTTP request, timed, that never throws: for suites that send thousands and count outcomes
// (a connection error is an outcome, status 0, not an exception that stops the loop).
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface TimedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as text. */
  text: string;
  /** From sending the request to the end of the response body. */
  ms: number;
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
    const settle = (result: Omit<TimedResponse, 'ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...result, ms: performance.now() - started });
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
    req.end(payload);
  });
}
