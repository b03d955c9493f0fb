// Slow and malformed clients against the server as operators run it (its own process, timeouts
// from the environment), on every engine, over raw TCP sockets:
// - a slowloris attack (200 connections at all times, each sending its request a byte a second
//   and never finishing) does not slow normal requests down, and each of its connections is
//   answered by the header timeout with a JSON 408 and closed, on time; so is a kept-alive
//   connection whose next request stalls;
// - a request whose body stops arriving is answered by the request timeout with a JSON 408, and
//   nothing of it is stored;
// - the HTTP parser's other refusals (431, 414, unknown method, conflicting lengths, no Host, a
//   bad request line) answer with the API's JSON error body and close the connection, while
//   requests just within those limits are served.
// Without these a handful of idle sockets could hold connections open forever, and clients
// would get bodies they cannot parse.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { engineRows } from '../helpers/engines';
import { SEED_BACKUP } from '../helpers/fixtures';
import { latencySummary, percentile } from '../helpers/measure';
import { connectRaw, parseResponse, rawExchange, within, type RawConnection, type RawResponse } from '../helpers/raw-http';
import { databaseForProcess } from '../helpers/process-database';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { timedRequest, type TimedResponse } from '../helpers/timed-http';

const HEADERS_TIMEOUT_MS = 2000;
const REQUEST_TIMEOUT_MS = 3000;
/**
 * How late past its timeout a connection may be answered. Node checks for expired requests on an
 * interval, not per request; up to a second of that interval, plus scheduling delay on a loaded
 * two-core machine, is late enough to be a timeout and early enough that 200 idle sockets cannot
 * pile up for long.
 */
const LATE_SLACK_MS = 1500;
/** Timers start when the server reads the first byte, a moment after the client connected. */
const EARLY_SLACK_MS = 100;
const SLOWLORIS_CONNECTIONS = 200;
const ATTACK_MS = 12000;
/** Normal requests during the attack: one a client would notice is far slower than this (~5 ms unloaded). */
const NORMAL_P99_BOUND_MS = 500;

const PROJECT = 'slow-clients';
const USER = { 'X-User-Id': 'patient-user' };

describe.each(engineRows)('slow and malformed clients on %s', (_name, engine) => {
  let server: ServerProcess | undefined;
  let database: { drop(): Promise<void> } | undefined;

  beforeAll(async () => {
    const created = await databaseForProcess(engine);
    database = created;
    server = await startServerProcess({
      FREEZER_API_DATABASE_URL: created.url,
      FREEZER_API_AUTH: 'noauth',
      FREEZER_API_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      FREEZER_API_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    });
  });
  afterAll(async () => {
    await server?.kill();
    await database?.drop();
  });
  const url = () => {
    if (!server) throw new Error('the server did not start');
    return server.url;
  };

  it(`${SLOWLORIS_CONNECTIONS} slowloris connections get a JSON 408 at the header timeout and do not slow normal requests`, async () => {
    const attack = slowloris(url(), SLOWLORIS_CONNECTIONS, ATTACK_MS);
    await attack.ramped;
    // Normal clients while every slowloris connection is open: two reusing a connection, two
    // opening a new one per request (what a server that ran out of connections would refuse).
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 2 });
    const normal = { keepAlive: [] as TimedResponse[], fresh: [] as TimedResponse[] };
    const until = performance.now() + ATTACK_MS - 1000;
    const client = async (agent: http.Agent | false, results: TimedResponse[], n: number) => {
      for (let i = 0; performance.now() < until; i++) {
        const upload = i % 2 === 0;
        results.push(
          await timedRequest(url(), {
            agent,
            method: upload ? 'POST' : 'GET',
            path: upload ? `/v2/${PROJECT}/backups` : `/v2/${PROJECT}/backups?limit=10`,
            headers: USER,
            json: upload ? { ...SEED_BACKUP, backup_name: `normal-${n}-${i}` } : undefined,
            timeoutMs: 10000,
          }),
        );
      }
    };
    await Promise.all([
      client(keepAlive, normal.keepAlive, 1),
      client(keepAlive, normal.keepAlive, 2),
      client(false, normal.fresh, 3),
      client(false, normal.fresh, 4),
    ]);
    keepAlive.destroy();
    const connections = await attack.done;

    const all = [...normal.keepAlive, ...normal.fresh];
    console.log(`slowloris on ${engine.name}: normal requests, kept-alive: ${latencySummary(normal.keepAlive.map((r) => r.ms))}`);
    console.log(
      `slowloris on ${engine.name}: normal requests, new connection each: ${latencySummary(normal.fresh.map((r) => r.ms))}`,
    );
    const answered = connections.map((c) => c.answeredAfterMs).filter((ms): ms is number => ms !== undefined);
    console.log(
      `slowloris on ${engine.name}: ${connections.length} connections (${SLOWLORIS_CONNECTIONS} open at a time), ` +
        `${answered.length} answered; answered after p50 ${percentile(answered, 50).toFixed(0)} ms, ` +
        `max ${percentile(answered, 100).toFixed(0)} ms (header timeout ${HEADERS_TIMEOUT_MS} ms)`,
    );

    const failedNormal = all.filter((r) => r.status < 200 || r.status > 299);
    expect(failedNormal.slice(0, 5).map((r) => `${r.status} ${r.error ?? r.text}`)).toEqual([]);
    expect(all.length).toBeGreaterThan(20);
    expect(
      percentile(
        all.map((r) => r.ms),
        99,
      ),
    ).toBeLessThan(NORMAL_P99_BOUND_MS);
    expect(tally(connections.flatMap((c) => timeoutProblems(c, HEADERS_TIMEOUT_MS)))).toEqual({});
    // Every connection the attack kept open had run into the timeout by the end.
    expect(connections.length).toBeGreaterThanOrEqual(SLOWLORIS_CONNECTIONS * 2);
  }, 60000);

  it('a body that stops arriving gets a JSON 408 at the request timeout, and nothing of it is stored', async () => {
    const project = `${PROJECT}-stalled`;
    const document = JSON.stringify({ ...SEED_BACKUP, backup_name: 'stalled-upload' });
    const connection = await connectRaw(url());
    // The whole JSON document arrives, but not the megabyte the request said would come.
    connection.write(
      `POST /v2/${project}/backups HTTP/1.1\r\nHost: 127.0.0.1\r\nX-User-Id: ${USER['X-User-Id']}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${1024 * 1024}\r\n\r\n${document}`,
    );
    const outcome = await settle(connection, REQUEST_TIMEOUT_MS + LATE_SLACK_MS + 2000);
    console.log(`stalled body on ${engine.name}: answered after ${outcome.answeredAfterMs?.toFixed(0)} ms`);
    expect(timeoutProblems(outcome, REQUEST_TIMEOUT_MS)).toEqual([]);

    const listed = await timedRequest(url(), { agent: false, method: 'GET', path: `/v2/${project}/backups`, headers: USER });
    expect(listed.status).toBe(200);
    expect(JSON.parse(listed.text)).toEqual({ backups: [] });
  }, 30000);

  it('a kept-alive connection whose next request stalls gets a JSON 408 at the header timeout', async () => {
    const connection = await connectRaw(url());
    connection.write(`GET /v2/${PROJECT}/backups?limit=1 HTTP/1.1\r\nHost: a\r\nX-User-Id: ${USER['X-User-Id']}\r\n\r\n`);
    const first = await within(connection.response, 5000);
    expect(first?.response.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500)); // idle, well within the keep-alive timeout
    const stalledAt = performance.now();
    connection.write(`GET /v2/${PROJECT}/backups HTTP/1.1\r\nHost: a\r\nX-Slow: `);
    const closed = await within(connection.closed, HEADERS_TIMEOUT_MS + LATE_SLACK_MS + 2000);
    if (!closed) connection.socket.destroy();
    const rest = closed?.received.subarray(first!.response.length);
    const second = rest && parseResponse(rest, true);
    console.log(`stalled second request on ${engine.name}: closed after ${closed && (closed.at - stalledAt).toFixed(0)} ms`);
    const outcome: Outcome = {
      response: second,
      // The 408 and the close arrive together; the close is the time this connection has.
      answeredAfterMs: closed && closed.at - stalledAt,
      closedAfterResponseMs: closed && 0,
      trailingBytes: second && rest.length - second.length,
      error: closed?.error,
      leftOpenMs: closed ? undefined : HEADERS_TIMEOUT_MS + LATE_SLACK_MS + 2000,
    };
    expect(timeoutProblems(outcome, HEADERS_TIMEOUT_MS)).toEqual([]);
  });

  const MAX_URL = 8192;
  /** A path no route has, `length` bytes long: 404 when the server reads it. */
  const longUrl = (length: number) => {
    const prefix = `/v2/${PROJECT}/no-such-resource/`;
    return prefix + 'u'.repeat(length - prefix.length);
  };
  const request = (head: string) => `${head}\r\n\r\n`;
  /** A request for /healthcheck whose header section (after the request line, blank line included) is `bytes` long. */
  const headersOf = (bytes: number) => {
    const fixed = 'Host: a\r\nConnection: close\r\nX-Big: ';
    return `GET /healthcheck HTTP/1.1\r\n${fixed}${'h'.repeat(bytes - fixed.length - 4)}\r\n\r\n`;
  };
  it.each([
    ['headers over 16 KiB', 431, headersOf(17 * 1024)],
    ['a URL over 8192 bytes', 414, request(`GET ${longUrl(MAX_URL + 1)} HTTP/1.1\r\nHost: a`)],
    ['an unknown method', 400, request(`BREW /v2/${PROJECT}/backups HTTP/1.1\r\nHost: a`)],
    [
      'both Content-Length and Transfer-Encoding',
      400,
      `POST /v2/${PROJECT}/backups HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n` +
        `Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    ],
    ['HTTP/1.1 without Host', 400, request(`GET /v2/${PROJECT}/backups HTTP/1.1\r\nX-User-Id: someone`)],
    ['a request line that is not one', 400, request('HELLO THERE')],
  ])('%s: %d with the JSON error body, then the connection closes', async (_case, status, bytes) => {
    const { response, closedAfterMs, received } = await rawExchange(url(), bytes, 3000);
    expect({ status: response?.status, received: response ? undefined : received.toString('latin1') }).toEqual({
      status,
      received: undefined,
    });
    expect(errorBodyProblems(response!, status)).toEqual([]);
    expect(received.length - response!.length).toBe(0); // one response, nothing after it
    // The server, not the client, closed it (rawExchange waits 3 s before closing it itself).
    expect(closedAfterMs).toBeDefined();
  });

  // The limits' other side: what is just within them is served as any request.
  it.each([
    [
      'a URL of exactly 8192 bytes',
      request(`GET ${longUrl(MAX_URL)} HTTP/1.1\r\nHost: a\r\nConnection: close`),
      404,
      /^\{"title":"Not Found"/,
    ],
    ['headers of exactly 16 KiB', headersOf(16 * 1024), 200, /^OK$/],
    ['HTTP/1.0 without Host', request('GET /healthcheck HTTP/1.0'), 200, /^OK$/],
  ])('%s: served as usual', async (_case, bytes, status, body) => {
    const { response } = await rawExchange(url(), bytes);
    expect({ status: response?.status, body: response?.body.slice(0, 40) }).toEqual({
      status,
      body: expect.stringMatching(body),
    });
  });

  it('still serves after all of that', async () => {
    const health = await timedRequest(url(), { agent: false, method: 'GET', path: '/healthcheck' });
    expect({ status: health.status, text: health.text }).toEqual({ status: 200, text: 'OK' });
  });
});

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
};

/** What is wrong with `response` as the API's JSON error for `status` sent with Connection: close. */
function errorBodyProblems(response: RawResponse, status: number): string[] {
  const problems: string[] = [];
  if (response.status !== status) problems.push(`status ${response.status} ${response.reason}, not ${status}`);
  if (!/^application\/json\b/.test(response.headers['content-type'] ?? '')) {
    problems.push(`Content-Type ${response.headers['content-type']}, not application/json`);
  }
  if (!/\bclose\b/i.test(response.headers.connection ?? ''))
    problems.push(`Connection ${response.headers.connection}, not close`);
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    problems.push(`body is not JSON: ${JSON.stringify(response.body.slice(0, 80))}`);
    return problems;
  }
  const { title, description, ...rest } = body as Record<string, unknown>;
  if (title !== TITLES[status]) problems.push(`title ${JSON.stringify(title)}, not ${JSON.stringify(TITLES[status])}`);
  if (typeof description !== 'string' || description === '') problems.push(`description ${JSON.stringify(description)}`);
  if (Object.keys(rest).length > 0) problems.push(`more than title and description: ${Object.keys(rest).join(', ')}`);
  return problems;
}

interface Outcome {
  response?: RawResponse;
  /** From connecting to the whole response. */
  answeredAfterMs?: number;
  /** From the response to the server closing the connection. */
  closedAfterResponseMs?: number;
  /** Bytes the server sent after the first response. */
  trailingBytes?: number;
  error?: string;
  /** The server had neither answered nor closed the connection within the wait. */
  leftOpenMs?: number;
}

/** Waits up to `waitMs` for `connection` to be answered and closed. */
async function settle(connection: RawConnection, waitMs: number): Promise<Outcome> {
  const closed = await within(connection.closed, waitMs);
  if (!closed) connection.socket.destroy();
  const response = await connection.response;
  return {
    response: response?.response,
    answeredAfterMs: response && response.at - connection.openedAt,
    closedAfterResponseMs: closed && response && closed.at - response.at,
    trailingBytes: closed && response && closed.received.length - response.response.length,
    error: closed?.error,
    leftOpenMs: closed ? undefined : waitMs,
  };
}

/** What is wrong with a connection the server should have answered with a 408 at `timeoutMs`. */
function timeoutProblems(outcome: Outcome, timeoutMs: number): string[] {
  if (!outcome.response) {
    return [
      outcome.leftOpenMs !== undefined
        ? `no response, still open after ${outcome.leftOpenMs} ms`
        : `closed without a response (${outcome.error ?? 'end of stream'})`,
    ];
  }
  const problems = errorBodyProblems(outcome.response, 408);
  const after = outcome.answeredAfterMs!;
  if (after < timeoutMs - EARLY_SLACK_MS) problems.push(`answered before the timeout`);
  if (after > timeoutMs + LATE_SLACK_MS) problems.push(`answered more than ${LATE_SLACK_MS} ms after the timeout`);
  if (outcome.closedAfterResponseMs === undefined) problems.push('left open after the 408');
  else if (outcome.closedAfterResponseMs > 500) problems.push('closed more than 500 ms after the 408');
  if (outcome.trailingBytes) problems.push('more bytes after the 408');
  if (outcome.error) problems.push(`socket error ${outcome.error}`);
  return problems;
}

/** Problems counted by kind, so that a thousand connections failing alike read as one line. */
function tally(problems: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const problem of problems) counts[problem] = (counts[problem] ?? 0) + 1;
  return counts;
}

/**
 * Keeps `count` connections open for `durationMs`, each sending a request a byte a second that
 * never ends (half stop inside the request line, half inside a header), and opens a new one
 * whenever the server closes one. `ramped` resolves once the first `count` are open; `done` with
 * every connection's outcome once the attack is over and its last connections have settled.
 */
function slowloris(url: string, count: number, durationMs: number): { ramped: Promise<void>; done: Promise<Outcome[]> } {
  const { host } = new URL(url);
  const outcomes: Outcome[] = [];
  const stopAt = performance.now() + durationMs;
  let started = 0;
  const endless = (n: number) =>
    n % 2 === 0
      ? { bytes: `GET /v2/${PROJECT}/backups?${'a'.repeat(10000)}`, first: 1 }
      : {
          bytes: `GET /v2/${PROJECT}/backups HTTP/1.1\r\nHost: ${host}\r\nX-User-Id: loris-${n}\r\nX-Padding: ${'p'.repeat(10000)}`,
          first: `GET /v2/${PROJECT}/backups HTTP/1.1\r\nHost: ${host}\r\nX-User-Id: loris-${n}\r\nX-Padding: `.length,
        };
  /** One connection after another, until the attack is over; `onOpen` once the first is open. */
  const slot = async (onOpen: () => void) => {
    do {
      let connection: RawConnection;
      try {
        connection = await connectRaw(url);
      } catch (err) {
        outcomes.push({ error: `connect: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      } finally {
        onOpen();
      }
      const { bytes, first } = endless(started++);
      let sent = first;
      connection.write(bytes.slice(0, sent));
      const drip = setInterval(() => connection.write(bytes[sent++]!), 1000);
      try {
        outcomes.push(await settle(connection, HEADERS_TIMEOUT_MS + LATE_SLACK_MS + 5000));
      } finally {
        clearInterval(drip);
      }
    } while (performance.now() < stopAt);
  };
  const opens: Promise<void>[] = [];
  const slots = Array.from({ length: count }, () => {
    let onOpen!: () => void;
    opens.push(new Promise<void>((resolve) => (onOpen = resolve)));
    return slot(onOpen);
  });
  return { ramped: Promise.all(opens).then(() => undefined), done: Promise.all(slots).then(() => outcomes) };
}
