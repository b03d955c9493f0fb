// Real HTTP against a real server (real Koa app, real database), every response checked
// against the spec before the test sees it.
import http from 'node:http';
import type { Config } from '../../src/config';
import type { LogOutput } from '../../src/log';
import { startServer, type RunningServer } from '../../src/server';
import type { Engine } from './engines';
import { conformanceErrors, type Exchange } from './spec';

export interface TestServer extends RunningServer {
  request(method: string, path: string, options?: RequestOptions): Promise<Exchange>;
}

export interface RequestOptions {
  /** Sent as JSON (with Content-Type: application/json unless `headers` say otherwise). */
  json?: unknown;
  /** Sent as is. */
  raw?: string | Buffer;
  headers?: Record<string, string>;
  /** Skip the spec check (only for tests of the check itself). */
  unchecked?: boolean;
  /**
   * Send `path` exactly as written (already percent-encoded): no dot segments resolved and
   * nothing escaped, as a URL would. For tests of odd paths.
   */
  rawPath?: boolean;
  /** The connection agent, such as a keep-alive one for suites sending many requests; default none. */
  agent?: http.Agent;
}

export type ServerOverrides = Partial<
  Pick<
    Config,
    | 'bodyLimitBytes'
    | 'auth'
    | 'scope'
    | 'policyRules'
    | 'database'
    | 'http'
    | 'shutdownTimeoutMs'
    | 'metrics'
    | 'trustProxy'
    | 'corsOrigins'
  >
> & {
  /** Where the server logs (test/helpers/log.ts captures it); by default nowhere. */
  logTo?: LogOutput;
};

/**
 * The production defaults, but for the drain time (a test leaving a request open should not
 * hold close() long) and the log, which in-process servers keep quiet unless a test reads it.
 */
export const TEST_LIMITS: Pick<
  Config,
  'shutdownTimeoutMs' | 'database' | 'http' | 'log' | 'metrics' | 'trustProxy' | 'corsOrigins' | 'migrateAtStart'
> = {
  migrateAtStart: true,
  shutdownTimeoutMs: 5000,
  database: { queryTimeoutMs: 5000, acquireTimeoutMs: 2000, waitSeconds: 0 },
  http: { headersTimeoutMs: 10000, requestTimeoutMs: 30000, keepAliveTimeoutMs: 5000 },
  log: { level: 'silent', pretty: false },
  metrics: {},
  trustProxy: false,
  corsOrigins: [],
};

export async function startTestServer(engine: Engine, overrides: ServerOverrides = {}): Promise<TestServer> {
  const database = await engine.create();
  const config: Config = {
    host: '127.0.0.1',
    port: 0,
    databaseUrl: database.url,
    migrateAtStart: true,
    bodyLimitBytes: overrides.bodyLimitBytes ?? 1024 * 1024,
    auth: overrides.auth ?? { mode: 'noauth', defaultUserId: 'default-user' },
    scope: overrides.scope ?? 'project',
    policyRules: overrides.policyRules ?? {},
    shutdownTimeoutMs: overrides.shutdownTimeoutMs ?? TEST_LIMITS.shutdownTimeoutMs,
    database: overrides.database ?? TEST_LIMITS.database,
    http: overrides.http ?? TEST_LIMITS.http,
    log: TEST_LIMITS.log,
    metrics: overrides.metrics ?? TEST_LIMITS.metrics,
    trustProxy: overrides.trustProxy ?? TEST_LIMITS.trustProxy,
    corsOrigins: overrides.corsOrigins ?? TEST_LIMITS.corsOrigins,
  };
  const server = await (overrides.logTo ? startServer(config, overrides.logTo) : startServer(config));
  return {
    ...server,
    async close() {
      const cut = await server.close();
      await database.drop();
      return cut;
    },
    request: checkedRequests(server.url),
  };
}

/** Requests to the server at `base` (`http://host:port`, in this process or another), each response checked against the spec. */
export function checkedRequests(base: string): TestServer['request'] {
  return async (method, path, options = {}) => {
    const res = await send(base, method, path, options);
    if (!options.unchecked) {
      const problems = await conformanceErrors(res);
      if (problems.length) {
        throw new Error(`${method} ${path} -> ${res.status} breaks the spec:\n  ${problems.join('\n  ')}\n  body: ${res.text}`);
      }
    }
    return res;
  };
}

function send(base: string, method: string, path: string, options: RequestOptions): Promise<Exchange> {
  const headers: Record<string, string> = { ...options.headers };
  let payload: Buffer | undefined;
  if (options.json !== undefined) {
    payload = Buffer.from(JSON.stringify(options.json));
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  } else if (options.raw !== undefined) {
    payload = Buffer.from(options.raw);
  }
  // An explicit Content-Length is sent as given, even when it is not the body's (a body cut short).
  if (payload && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
    headers['Content-Length'] = String(payload.length);
  }
  const agent = options.agent ?? false;
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          if (/json/.test(String(res.headers['content-type'])) && text !== '') body = JSON.parse(text);
        } catch {
          reject(
            new Error(`${method} ${path} -> ${res.statusCode} sent ${res.headers['content-type']} that is not JSON: ${text}`),
          );
          return;
        }
        resolve({ method, path, status: res.statusCode ?? 0, headers: res.headers, body, text });
      });
    };
    const { hostname, port } = new URL(base);
    const req = options.rawPath
      ? http.request({ hostname, port, path, method, headers, agent }, onResponse)
      : http.request(new URL(path, base), { method, headers, agent }, onResponse);
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * One server for the enclosing describe block: started before its tests, closed after them.
 * Returns a stand-in usable right away (in the block's body) that reaches the started server.
 */
export function serverFor(engine: Engine, overrides: ServerOverrides = {}): TestServer {
  let started: TestServer | undefined;
  beforeAll(async () => {
    started = await startTestServer(engine, overrides);
  });
  afterAll(() => started?.close());
  const server = () => {
    if (!started) throw new Error('the test server is not running (use it inside tests)');
    return started;
  };
  return {
    get url() {
      return server().url;
    },
    get db() {
      return server().db;
    },
    get log() {
      return server().log;
    },
    close: () => server().close(),
    request: (method, path, options) => server().request(method, path, options),
  };
}

/**
 * Whether a kept-alive connection still carries a request after the last answer on it: the
 * health check's status ('200'), or what went wrong instead (an error, or no answer in time).
 */
export async function probeConnection(server: TestServer, agent: http.Agent, timeoutMs = 2000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>(
    (resolve) => (timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs)),
  );
  const answer = server.request('GET', '/healthcheck', { agent }).then(
    (res) => String(res.status),
    (err: Error) => err.message,
  );
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The two API versions, for `describe.each`: name and path prefix (v2 with a project). */
export const VERSIONS = [
  ['v1', '/v1'],
  ['v2', '/v2/proj-a'],
] as const;
