// The health checks as load balancers and orchestrators probe them, over real HTTP: oslo's
// /healthcheck (GET as text or JSON, never a 406; HEAD as 204), /healthz and /readyz, with the
// database working, gone, and behind on migrations.
import { MIGRATION_NAMES, migrateToLatest, rollbackMigration } from '../../src/db/migrate';
import { engineRows, ENGINES } from '../helpers/engines';
import { startTestServer, type TestServer } from '../helpers/http';
import { captureLog } from '../helpers/log';
import { connectRaw } from '../helpers/raw-http';

const READY = { status: 'ready', checks: { database: 'ok', migrations: 'ok', shutdown: 'ok' } };

describe.each(engineRows)('health checks on %s', (_name, engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(() => server.close());

  it('answers /healthcheck as oslo.middleware does: text, JSON when preferred, text for any other Accept', async () => {
    const text = await server.request('GET', '/healthcheck');
    expect([text.status, text.headers['content-type'], text.text]).toEqual([200, 'text/plain; charset=utf-8', 'OK']);
    const json = await server.request('GET', '/healthcheck', { headers: { Accept: 'application/json' } });
    expect([json.status, json.body]).toEqual([200, { reasons: ['OK'], detailed: false }]);
    for (const accept of ['text/html', 'image/png', 'text/plain;q=0.5, application/json']) {
      const other = await server.request('GET', '/healthcheck', { headers: { Accept: accept } });
      expect([accept, other.status]).toEqual([accept, 200]);
      expect(other.headers['content-type']).toMatch(accept.includes('application/json') ? /^application\/json/ : /^text\/plain/);
    }
  });

  it('answers HEAD probes with 204 and no body', async () => {
    for (const path of ['/healthcheck', '/healthz', '/readyz']) {
      const res = await server.request('HEAD', path);
      expect([path, res.status, res.text]).toEqual([path, 204, '']);
    }
  });

  it('answers /healthz alive and /readyz ready', async () => {
    expect((await server.request('GET', '/healthz')).body).toEqual({ status: 'alive' });
    const ready = await server.request('GET', '/readyz');
    expect([ready.status, ready.body]).toEqual([200, READY]);
  });

  it('is not ready while a migration this version needs has not run, and ready again once it has', async () => {
    const last = MIGRATION_NAMES[MIGRATION_NAMES.length - 1]!;
    await rollbackMigration(server.db, last);
    try {
      const res = await server.request('GET', '/readyz');
      expect([res.status, res.body]).toEqual([
        503,
        { status: 'not ready', checks: { ...READY.checks, migrations: `pending: ${last}` } },
      ]);
      expect((await server.request('HEAD', '/readyz')).status).toBe(503);
    } finally {
      await migrateToLatest(server.db);
    }
    expect((await server.request('GET', '/readyz')).status).toBe(200);
  });
});

describe('health checks without a database', () => {
  it('say so within a second, while the API answers 503 with Retry-After and logs the cause once', async () => {
    const log = captureLog();
    const server = await startTestServer(ENGINES[0]!, { logTo: log.output });
    await server.db.destroy();
    try {
      const text = await server.request('GET', '/healthcheck');
      expect([text.status, text.text]).toEqual([503, 'DATABASE UNAVAILABLE']);
      const json = await server.request('GET', '/healthcheck', { headers: { Accept: 'application/json' } });
      expect([json.status, json.body]).toEqual([503, { reasons: ['DATABASE UNAVAILABLE'], detailed: false }]);
      expect((await server.request('HEAD', '/healthcheck')).status).toBe(503);
      const ready = await server.request('GET', '/readyz');
      expect([ready.status, ready.body]).toEqual([
        503,
        { status: 'not ready', checks: { database: 'unavailable', migrations: 'unknown', shutdown: 'ok' } },
      ]);
      expect((await server.request('GET', '/healthz')).status).toBe(200);

      // The API itself answers 503 with Retry-After and the spec's error body, and says nothing of
      // the cause, which is logged in one line under the request's id.
      const list = await server.request('GET', '/v2/p/backups');
      const requestId = list.headers['x-openstack-request-id'];
      expect([list.status, list.headers['retry-after'], list.body]).toEqual([
        503,
        '2',
        {
          title: 'Service Unavailable',
          description: `The database is unavailable; try again later. (request ${String(requestId)})`,
        },
      ]);
      expect(log.lines().filter((line) => line.level === 'error')).toEqual([
        expect.objectContaining({
          request_id: requestId,
          status: 503,
          msg: 'GET /v2/p/backups -> 503: The database is unavailable; try again later. (Unable to acquire a connection)',
        }),
      ]);
    } finally {
      await server.close();
    }
  });
});

describe('health checks while the server drains', () => {
  it('answer 503 (ready: shutdown draining) to a request that arrives after the signal, and alive', async () => {
    const server = await startTestServer(ENGINES[0]!);
    // Requests already on their way when shutdown begins: their headers end after it.
    const started = await Promise.all(
      ['/readyz', '/healthcheck', '/healthz'].map(async (path) => {
        const connection = await connectRaw(server.url);
        connection.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n`);
        return { path, connection };
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = server.close();
    for (const { connection } of started) connection.write('\r\n');
    const answers = await Promise.all(started.map(async ({ path, connection }) => [path, (await connection.response)?.response]));
    await closed;
    expect(
      answers.map(([path, res]) => [path, (res as { status: number }).status, JSON.parse((res as { body: string }).body)]),
    ).toEqual([
      ['/readyz', 503, { status: 'not ready', checks: { database: 'ok', migrations: 'ok', shutdown: 'draining' } }],
      ['/healthcheck', 503, { reasons: ['SHUTTING DOWN'], detailed: false }],
      ['/healthz', 200, { status: 'alive' }],
    ]);
  });
});
