// The database time bounds (src/db/bounds.ts, knexfile.ts): a statement that does not answer in
// time fails and its connection is thrown away; a request that cannot get a connection in time
// fails; either way the API answers 503 with Retry-After within the bound, and reads never wait
// behind a stuck write for longer. On the shared MariaDB (a slow statement, a held lock) and on
// SQLite files (another process's write lock); test/db/faults.test.ts stops a database outright.
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { knexConfig } from '../../knexfile';
import { BACKSTOP_MS, QueryTimeout } from '../../src/db/bounds';
import { isDatabaseUnavailable } from '../../src/db/errors';
import { ENGINES, type Engine } from '../helpers/engines';
import { startTestServer, TEST_LIMITS, type TestServer } from '../helpers/http';
import { tempDir } from '../helpers/temp-dir';

const BOUNDS = { queryTimeoutMs: 400, acquireTimeoutMs: 300 };
/** What a bound may overrun by on a busy machine: timers, the HTTP round trip. */
const SLACK_MS = 700;

const mysql = ENGINES.find((engine) => engine.name === 'mysql');

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result?: T; error?: unknown }> {
  const start = Date.now();
  try {
    const result = await work();
    return { ms: Date.now() - start, result };
  } catch (error) {
    return { ms: Date.now() - start, error };
  }
}

const connectionId = async (db: Knex) => ((await db.raw('SELECT CONNECTION_ID() AS id')) as [[{ id: number }]])[0][0].id;

(mysql ? describe : describe.skip)('statement and pool bounds on mysql', () => {
  let database: { url: string; drop(): Promise<void> };
  let db: Knex;

  beforeAll(async () => {
    database = await (mysql as Engine).create();
    const url = new URL(database.url);
    url.searchParams.set('poolSize', '1');
    db = knex(knexConfig(url.toString(), BOUNDS));
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('has MariaDB abort a statement at the query timeout, undoing it, and the connection stays', async () => {
    const before = await connectionId(db);
    const slow = await timed(() => db.raw('SELECT SLEEP(3)'));
    expect((slow.error as { errno?: number }).errno).toBe(1969); // max_statement_time exceeded
    expect(isDatabaseUnavailable(slow.error)).toBe(true);
    expect(slow.ms).toBeLessThan(BOUNDS.queryTimeoutMs + SLACK_MS);
    expect(await connectionId(db)).toBe(before);
  });

  it('gives up on a database that does not answer, and never reuses that connection', async () => {
    const before = await connectionId(db);
    // This statement lifts MariaDB's own limit: only the client's backstop can end the wait.
    const silent = await timed(() => db.raw('SET STATEMENT max_statement_time = 0 FOR SELECT SLEEP(3)'));
    expect(silent.error).toBeInstanceOf(QueryTimeout);
    expect(isDatabaseUnavailable(silent.error)).toBe(true);
    expect(silent.ms).toBeGreaterThanOrEqual(BOUNDS.queryTimeoutMs + BACKSTOP_MS - 5);
    expect(silent.ms).toBeLessThan(BOUNDS.queryTimeoutMs + BACKSTOP_MS + SLACK_MS);
    // The pool's one connection was destroyed with the statement in it: the next is a new one.
    const after = await timed(() => connectionId(db));
    expect(after.result).not.toBe(before);
    expect(after.ms).toBeLessThan(1000);
  });

  it('fails a request for a connection past the acquire timeout', async () => {
    let release!: () => void;
    const held = db.transaction(() => new Promise<void>((resolve) => (release = resolve)));
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const waited = await timed(() => db.raw('SELECT 1'));
      expect((waited.error as Error)?.name).toBe('KnexTimeoutError');
      expect(isDatabaseUnavailable(waited.error)).toBe(true);
      expect(waited.ms).toBeLessThan(BOUNDS.acquireTimeoutMs + SLACK_MS);
    } finally {
      release();
      await held;
    }
  });
});

(mysql ? describe : describe.skip)('the API on mysql while a table is locked', () => {
  let server: TestServer;
  let locker: Knex;
  const headers = { 'X-User-Id': 'bounded' };

  beforeAll(async () => {
    server = await startTestServer(mysql!, { database: { ...BOUNDS, waitSeconds: 0 } });
    locker = knex(knexConfig(serverDatabaseUrl(server)));
  });
  afterAll(async () => {
    await locker?.destroy();
    await server?.close();
  });

  it('answers 503 with Retry-After within the bound, for reads and writes, then serves again', async () => {
    const made = await server.request('POST', '/v2/p/backups', {
      json: { backup_name: 'b', container: 'c', hostname: 'h' },
      headers,
    });
    const id = (made.body as { backup_id: string }).backup_id;
    const silence = jest.spyOn(console, 'error').mockImplementation(() => {});
    let unlock!: () => void;
    // A writer that holds the table and never lets go (until the test says so).
    const lock = locker.transaction(async (trx) => {
      await trx.raw('LOCK TABLES backups WRITE');
      await new Promise<void>((resolve) => (unlock = resolve));
      await trx.raw('UNLOCK TABLES');
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const [method, url, json] of [
        ['GET', `/v2/p/backups/${id}`, undefined],
        ['GET', '/v2/p/backups', undefined],
        ['POST', '/v2/p/backups', { backup_name: 'c', container: 'c', hostname: 'h' }],
        ['DELETE', `/v2/p/backups/${id}`, undefined],
      ] as const) {
        const { result: res, ms } = await timed(() => server.request(method, url, { headers, ...(json ? { json } : {}) }));
        expect([method, url, res?.status, res?.headers['retry-after']]).toEqual([method, url, 503, '2']);
        expect(res?.body).toEqual({
          title: 'Service Unavailable',
          description: `The database is unavailable; try again later. (request ${String(res?.headers['x-openstack-request-id'])})`,
        });
        expect(ms).toBeLessThan(BOUNDS.acquireTimeoutMs + BOUNDS.queryTimeoutMs + SLACK_MS);
      }
      // The health check answers within its own second, whatever the database does.
      const health = await timed(() => server.request('GET', '/healthcheck'));
      expect(health.result?.status).toBe(200); // SELECT 1 needs no table
    } finally {
      unlock();
      await lock;
      silence.mockRestore();
    }
    // Service returns on its own, and the refused writes were never made: MariaDB undid them.
    const list = await server.request('GET', '/v2/p/backups', { headers });
    expect(list.status).toBe(200);
    expect((list.body as { backups: unknown[] }).backups).toHaveLength(1);
    expect((await server.request('GET', `/v2/p/backups/${id}`, { headers })).status).toBe(200);
  });
});

/** The database URL the test server uses: the pool's connection settings, back as a URL. */
function serverDatabaseUrl(server: TestServer): string {
  const c = server.db.client.config.connection as {
    host: string;
    port: number;
    user: string;
    password: string;
    database: string;
  };
  return `mysql://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@${c.host}:${c.port}/${c.database}`;
}

describe('the busy timeout on sqlite', () => {
  const file = path.join(tempDir('freezer-bounds-'), 'db.sqlite');
  let server: TestServer;
  let other: Knex;

  beforeAll(async () => {
    const engine: Engine = {
      name: 'sqlite-file',
      create: () => Promise.resolve({ url: `sqlite:${file}`, drop: () => Promise.resolve() }),
    };
    server = await startTestServer(engine, { database: { ...BOUNDS, waitSeconds: 0 } });
    // Another process's connection, as far as SQLite's locks are concerned.
    other = knex(knexConfig(`sqlite:${file}`, TEST_LIMITS.database));
  });
  afterAll(async () => {
    await other?.destroy();
    await server?.close();
  });

  it('answers a write 503 within the bound while another connection holds the write lock, and reads go on', async () => {
    const headers = { 'X-User-Id': 'busy' };
    const made = await server.request('POST', '/v2/p/backups', {
      json: { backup_name: 'b', container: 'c', hostname: 'h' },
      headers,
    });
    expect(made.status).toBe(201);
    const silence = jest.spyOn(console, 'error').mockImplementation(() => {});
    let release!: () => void;
    const held = other.transaction(async (trx) => {
      await trx('backups').update({ user_id: 'busy' }); // takes the write lock
      await new Promise<void>((resolve) => (release = resolve));
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const write = await timed(() =>
        server.request('POST', '/v2/p/backups', { json: { backup_name: 'c', container: 'c', hostname: 'h' }, headers }),
      );
      expect([write.result?.status, write.result?.headers['retry-after']]).toEqual([503, '2']);
      expect(write.ms).toBeLessThan(BOUNDS.queryTimeoutMs + SLACK_MS);
      // WAL: readers do not wait for the writer at all.
      const read = await timed(() => server.request('GET', '/v2/p/backups', { headers }));
      expect(read.result?.status).toBe(200);
      expect(read.ms).toBeLessThan(SLACK_MS);
    } finally {
      release();
      await held;
      silence.mockRestore();
    }
    expect(
      (await server.request('POST', '/v2/p/backups', { json: { backup_name: 'd', container: 'c', hostname: 'h' }, headers }))
        .status,
    ).toBe(201);
  });
});
