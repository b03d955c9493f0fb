// Shutdown as a deployment does it (SIGTERM from systemd, Kubernetes, a rolling restart), against
// the server in its own process on each engine (SQLite in a file, MariaDB). What it proves:
//  - requests in flight at the signal run to completion: trickled uploads finishing after it (201,
//    stored; on a new connection and on one kept alive from an earlier request), slow searches (200);
//  - the listener closes once draining begins (new connections refused), answers in the drain say
//    `Connection: close`, and a healthcheck in flight (its headers still arriving at the signal)
//    says 503 `SHUTTING DOWN`;
//  - every write answered 2xx before the exit is in the database, and a POST whose connection was
//    cut unanswered stored nothing;
//  - exit 0 when the drain finishes, and past FREEZER_API_SHUTDOWN_TIMEOUT the process says what
//    it cut and exits non-zero.
// Databases are read directly after the process has exited, not through another server.
import http from 'node:http';
import knex, { type Knex } from 'knex';
import { knexConfig } from '../../knexfile';
import { engineRows } from '../helpers/engines';
import { databaseForProcess } from '../helpers/process-database';
import { exitWithin, lineWritten, startServerProcess, type ServerProcess } from '../helpers/server-process';
import { conformanceErrors } from '../helpers/spec';
import { performance } from 'node:perf_hooks';
import { connectRaw } from '../helpers/raw-http';
import type { Exchange } from '../helpers/spec';
import { exchangeOf, timedExchange, type TimedResponse } from '../helpers/timed-http';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const USER = { 'X-User-Id': 'shutdown-user' };
const backup = (name: string, extra: object = {}) => ({
  backup_name: name,
  container: 'c1',
  hostname: 'node1',
  time_stamp: 1700000000,
  ...extra,
});

/** A backup whose metadata is a wide tree (~55 KB), so that a search for a key at any depth reads a lot. */
function wideBackup(name: string) {
  const tree: Record<string, unknown> = {};
  for (let a = 0; a < 40; a++) {
    const branch: Record<string, unknown> = {};
    for (let b = 0; b < 50; b++) branch[`k${b}`] = { v: b, w: `x${a}-${b}` };
    tree[`n${a}`] = branch;
  }
  return backup(name, { tree });
}

/** An answer (or how the connection failed), timed. */
type Answer = TimedResponse & Exchange;

/**
 * A healthcheck from a slow client: its request line and headers arrive over about a second, on a
 * connection of its own, which the server meanwhile counts as busy (a request under way), not idle.
 */
/** A healthcheck sent a piece at a time, its last piece only once `lastPieceAfter` resolves. */
async function slowHealthcheck(base: string, lastPieceAfter: Promise<unknown>): Promise<Answer> {
  const request = 'GET /healthcheck HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/plain\r\n\r\n';
  const connection = await connectRaw(base);
  const pieces = 10;
  const size = Math.ceil(request.length / pieces);
  for (let i = 0; i < pieces; i++) {
    if (i > 0) await sleep(100);
    if (i === pieces - 1) await lastPieceAfter;
    connection.write(request.slice(i * size, (i + 1) * size));
  }
  const answered = await connection.response;
  const closed = answered ? undefined : await connection.closed;
  connection.socket.destroy();
  const endedAt = answered?.at ?? performance.now();
  const timed: TimedResponse = {
    status: answered?.response.status ?? 0,
    headers: answered?.response.headers ?? {},
    text: answered?.response.body ?? '',
    ms: endedAt - connection.openedAt,
    startedAt: connection.openedAt,
    endedAt,
    reusedSocket: false,
    error: answered ? undefined : (closed?.error ?? 'closed without an answer'),
  };
  return { ...timed, ...exchangeOf({ method: 'GET', path: '/healthcheck' }, timed) };
}

async function specProblems(exchanges: Answer[]): Promise<string[]> {
  const lists = await Promise.all(exchanges.filter((e) => !e.error).map((e) => conformanceErrors(e)));
  return [...new Set(lists.flat())];
}

describe.each(engineRows)('shutdown on %s', (_name, engine) => {
  let database: { url: string; drop(): Promise<void> };
  let servers: ServerProcess[] = [];
  beforeAll(async () => {
    database = await databaseForProcess(engine);
  });
  afterAll(() => database?.drop());
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.kill()));
    servers = [];
  });

  const serve = async (shutdownTimeoutSeconds: number) => {
    const server = await startServerProcess({
      FREEZER_API_DATABASE_URL: database.url,
      FREEZER_API_SHUTDOWN_TIMEOUT: String(shutdownTimeoutSeconds),
    });
    servers.push(server);
    return server;
  };

  /** Reads the database directly (the server has exited): the project's backups, id -> name. */
  const storedBackups = async (project: string) => {
    const db: Knex = knex(knexConfig(database.url));
    try {
      const rows = await db('backups')
        .where({ project_id: project })
        .select<{ backup_id: string; backup_name: string }[]>('backup_id', 'backup_name');
      return new Map(rows.map((r) => [r.backup_id, r.backup_name]));
    } finally {
      await db.destroy();
    }
  };

  it('finishes the requests in flight, refuses new connections, closes kept-alive ones, says SHUTTING DOWN, exits 0', async () => {
    const server = await serve(10);
    const prefix = '/v2/proj-drain';
    for (let i = 0; i < 100; i += 10) {
      const created = await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          timedExchange(server.url, {
            method: 'POST',
            path: `${prefix}/backups`,
            agent: false,
            json: wideBackup(`wide-${i + j}`),
            headers: USER,
          }),
        ),
      );
      expect(created.map((c) => c.status)).toEqual(Array(10).fill(201));
    }
    // A socket kept alive from an earlier request, which then carries an upload across the signal.
    const keptAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const warm = await timedExchange(server.url, {
      method: 'GET',
      path: `${prefix}/backups?limit=1`,
      agent: keptAlive,
      headers: USER,
    });
    expect([warm.status, warm.headers.connection]).toEqual([200, 'keep-alive']);

    // In flight at the signal: uploads trickled over 2 s (on a new connection and on the kept-alive
    // one), a healthcheck whose request line and headers arrive over 1 s, and searches for a key at
    // any depth of every document.
    const trickle = { pieces: 20, intervalMs: 100 };
    const upload = timedExchange(server.url, {
      method: 'POST',
      path: `${prefix}/backups`,
      agent: false,
      json: backup('trickled'),
      headers: USER,
      trickle,
    });
    const keptUpload = timedExchange(server.url, {
      method: 'POST',
      path: `${prefix}/backups`,
      json: backup('kept-alive'),
      headers: USER,
      trickle,
      agent: keptAlive,
    });
    // Its last piece comes once the server says it is draining: on SQLite the signal is only
    // handled once the synchronous queries already running are done, which may take seconds.
    let drainingSaid!: () => void;
    const health = slowHealthcheck(server.url, new Promise<void>((resolve) => (drainingSaid = resolve)));
    let searchesAnswered = 0;
    let halfAnswered = () => {};
    const searches = Array.from({ length: 20 }, () =>
      timedExchange(server.url, {
        method: 'GET',
        path: `${prefix}/backups?limit=5`,
        agent: false,
        json: { match: [{ not_there: 'x' }] },
        headers: USER,
      }).then((res) => {
        if (++searchesAnswered === 10) halfAnswered();
        return res;
      }),
    );
    // The signal comes half way through the uploads, and before all searches are done on a fast machine too.
    await Promise.race([sleep(500), new Promise<void>((resolve) => (halfAnswered = resolve))]);
    const signalled = performance.now();
    server.child.kill('SIGTERM');
    // Once it says it is draining, it has stopped listening (on SQLite the signal waits for the
    // synchronous queries already running: the searches).
    const drainingAfterMs = Math.round(await lineWritten(server, /draining/, signalled));
    drainingSaid();
    const refused = await timedExchange(server.url, { method: 'GET', path: '/healthcheck', agent: false });

    const uploaded = await upload;
    const keptUploaded = await keptUpload;
    const healthAnswer = await health;
    const searched = await Promise.all(searches);
    const code = await exitWithin(server, 15000);
    const exitMs = Math.round(performance.now() - signalled);
    keptAlive.destroy();
    const searchedAfter = searched.filter((s) => s.endedAt > signalled).length;
    const show = (e: Answer) =>
      `${e.status || e.error} ${Math.round(e.endedAt - signalled)} ms after (Connection: ${String(e.headers.connection)})`;
    console.log(
      `${engine.name} drain: upload ${show(uploaded)}; kept-alive upload ${show(keptUploaded)}; healthcheck ${JSON.stringify(healthAnswer.text)} ${show(healthAnswer)}`,
    );
    console.log(
      `${engine.name} drain: searches 200: ${searched.filter((s) => s.status === 200).length}/20 (${searchedAfter} answered after SIGTERM); ` +
        `draining ${drainingAfterMs} ms after SIGTERM, then a new connection: ${refused.error ?? refused.status}; exit ${code} after ${exitMs} ms`,
    );

    expect(refused.error).toBe('ECONNREFUSED');
    expect([uploaded.status, uploaded.headers.connection]).toEqual([201, 'close']);
    expect(uploaded.endedAt).toBeGreaterThan(signalled + 1000); // it really was in the middle
    expect([keptUploaded.reusedSocket, keptUploaded.status, keptUploaded.headers.connection]).toEqual([true, 201, 'close']);
    expect([healthAnswer.status, healthAnswer.text, healthAnswer.headers.connection]).toEqual([503, 'SHUTTING DOWN', 'close']);
    // Every one answered, connections the kernel had queued but the server not accepted yet
    // included (on SQLite a burst of them builds up behind its synchronous statements).
    expect(searched.map((s) => s.status || s.error)).toEqual(Array(20).fill(200));
    expect(searchedAfter).toBeGreaterThan(0); // some were still running at the signal
    expect(code).toBe(0);
    expect(await specProblems([uploaded, keptUploaded, healthAnswer, ...searched])).toEqual([]);
    const stored = await storedBackups('proj-drain');
    expect(stored.get((uploaded.body as { backup_id: string }).backup_id)).toBe('trickled');
    expect(stored.get((keptUploaded.body as { backup_id: string }).backup_id)).toBe('kept-alive');
  }, 60000);

  it('has stored every write it acknowledged before exiting, and nothing from a POST cut off unanswered', async () => {
    const server = await serve(10);
    const outcomes: (Answer & { name: string })[] = [];
    let n = 0;
    let signalled = Infinity;
    // Each loop posts until its connection is refused, on a connection of its own each time.
    const loop = async () => {
      for (;;) {
        const name = `stream-${n++}`;
        const res = await timedExchange(server.url, {
          method: 'POST',
          path: '/v2/proj-stream/backups',
          agent: false,
          json: backup(name),
          headers: USER,
        });
        outcomes.push({ ...res, name });
        if (res.error === 'ECONNREFUSED') return;
      }
    };
    const loops = Promise.all(Array.from({ length: 8 }, loop));
    await sleep(800);
    signalled = performance.now();
    server.child.kill('SIGTERM');
    await loops;
    const code = await exitWithin(server, 15000);

    const stored = await storedBackups('proj-stream');
    const storedNames = new Set(stored.values());
    const acknowledged = outcomes.filter((o) => o.status === 201);
    const refused = outcomes.filter((o) => o.error === 'ECONNREFUSED');
    const cut = outcomes.filter((o) => o.error && o.error !== 'ECONNREFUSED');
    const cutButStored = cut.filter((o) => storedNames.has(o.name));
    const missing = acknowledged.filter((o) => stored.get((o.body as { backup_id: string }).backup_id) !== o.name);
    console.log(
      `${engine.name} stream: ${outcomes.length} POSTs: acknowledged ${acknowledged.length} (${acknowledged.filter((o) => o.endedAt > signalled).length} after SIGTERM), ` +
        `refused ${refused.length}, cut unanswered ${cut.length} (${cutButStored.length} stored anyway); stored ${stored.size}; exit ${code}`,
    );

    expect(outcomes.filter((o) => !o.error && o.status !== 201).map((o) => `${o.name}: ${o.status} ${o.text}`)).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(20);
    expect(missing.map((o) => o.name)).toEqual([]);
    expect(cutButStored.map((o) => `${o.name}: ${o.error}`)).toEqual([]);
    expect(stored.size).toBe(acknowledged.length);
    expect(code).toBe(0);
    expect(await specProblems(acknowledged)).toEqual([]);
  }, 60000);

  it('past the drain time, says what it cut and exits non-zero', async () => {
    const drainSeconds = 1;
    const server = await serve(drainSeconds);
    expect((await timedExchange(server.url, { method: 'GET', path: '/healthcheck', agent: false })).status).toBe(200);
    // An upload that stops half way: Content-Length promises more than ever comes.
    const stalled = timedExchange(server.url, {
      method: 'POST',
      path: '/v2/proj-cut/backups',
      agent: false,
      json: backup('stalled'),
      headers: USER,
      trickle: { pieces: 10, intervalMs: 50, stopAfter: 4 },
      timeoutMs: 20000,
    });
    await sleep(400);
    const before = server.output().length;
    const signalled = performance.now();
    server.child.kill('SIGTERM');
    const code = await exitWithin(server, drainSeconds * 1000 + 8000);
    const exitMs = Math.round(performance.now() - signalled);
    const said = server.output().slice(before).trim();
    const answer = await stalled;
    console.log(
      `${engine.name} cut: exit ${code} after ${exitMs} ms (drain ${drainSeconds} s); stalled upload got ${answer.status || answer.error}; log: ${said}`,
    );

    expect(typeof code === 'number' && code !== 0).toBe(true);
    expect(exitMs).toBeLessThan(drainSeconds * 1000 + 3000);
    expect(exitMs).toBeGreaterThanOrEqual(drainSeconds * 1000 - 100); // it did wait for the drain first
    // What was cut: the request by method and path.
    expect(said).toMatch(/POST \/v2\/proj-cut\/backups/);
    expect(said).not.toMatch(/^\s+at /m);
    expect((await storedBackups('proj-cut')).size).toBe(0);
  }, 30000);
});
