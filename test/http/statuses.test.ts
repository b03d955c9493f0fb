// Every operation in the spec, with every status it documents, really produced over HTTP on every
// engine (and checked against the spec by the request helper). The recipes that make each status
// happen are test/helpers/status-recipes.js, shared with the Dredd hooks; a new operation or status
// without a recipe there fails here, so the spec cannot promise what no test has seen.
import type { Knex } from 'knex';
import type { Operation } from 'openapi-backend';
import { clientOf, isMysql } from '../../src/db/client';
import { engineRows } from '../helpers/engines';
import { checkEach } from '../helpers/failures';
import { serverFor, type TestServer } from '../helpers/http';
import { unreachableKeystone, withKeystone } from '../helpers/keystone';
import { specApi } from '../helpers/spec';
import { examplePath, prepare, serverNeeded, showsItem, type Send, type ServerNeeded } from '../helpers/status-recipes';

const PROJECT = 'proj-statuses';

/** Every table gone, as a botched restore would leave it: a schema that is not the server's. */
async function dropAllTables(db: Knex): Promise<void> {
  if (isMysql(db)) {
    const [rows] = (await db.raw('SHOW TABLES')) as [Record<string, string>[]];
    // Foreign key checks are a session's: off on one connection, which then drops every table.
    const connection = await clientOf(db).acquireConnection();
    try {
      await db.raw('SET FOREIGN_KEY_CHECKS = 0').connection(connection);
      for (const row of rows) await db.raw('DROP TABLE ??', [Object.values(row)[0]!]).connection(connection);
    } finally {
      await clientOf(db).releaseConnection(connection);
    }
  } else {
    const rows = await db.raw<{ name: string }[]>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    );
    await db.raw('PRAGMA foreign_keys = OFF');
    for (const { name } of rows) await db.raw('DROP TABLE ??', [name]);
  }
}

async function allCases(): Promise<{ operation: Operation; status: number }[]> {
  const api = await specApi();
  return api
    .getOperations()
    .flatMap((operation) => Object.keys(operation.responses ?? {}).map((status) => ({ operation, status: Number(status) })));
}

const caseName = ({ operation, status }: { operation: Operation; status: number }) => `${operation.operationId} ${status}`;

describe.each(engineRows)('every documented status on %s', (_name, engine) => {
  const server = serverFor(engine);
  /** Its database pool has been closed: the 503 cases. */
  const gone = serverFor(engine);
  /** Its tables have been dropped: the 500 cases. */
  const broken = serverFor(engine);
  /** keystone mode with no Keystone to ask: the 401 cases. */
  const unreachable = serverFor(engine, { auth: unreachableKeystone() });
  /** Half a second for a request: the 408 cases. */
  const impatient = serverFor(engine, {
    http: { headersTimeoutMs: 500, requestTimeoutMs: 500, keepAliveTimeoutMs: 500 },
  });
  /** Scrapes need a bearer token: the metrics' 401. */
  const metricsToken = serverFor(engine, { metrics: { token: 'metrics-secret' } });
  /** The metrics on an address of their own: the 404 of /metrics here. */
  const metricsElsewhere = serverFor(engine, { metrics: { listen: { host: '127.0.0.1', port: 0 } } });
  beforeAll(async () => {
    await gone.db.destroy();
    await dropAllTables(broken.db);
  });

  /** The recipes' fixtures are made on the ordinary server, whatever server the case needs. */
  const send: Send = (method, path, json, headers) =>
    server.request(method, path, { headers, ...(json === undefined ? {} : { json }) });
  const servers: Record<ServerNeeded, TestServer | undefined> = {
    'keystone-unreachable': unreachable,
    'database-gone': gone,
    'database-broken': broken,
    impatient,
    'metrics-token': metricsToken,
    'metrics-elsewhere': metricsElsewhere,
    keystone: undefined, // below
  };

  it('has a recipe for every operation and status, and each produces its status', async () => {
    const silence = jest.spyOn(console, 'error').mockImplementation(() => {});
    // The 403s need a real Keystone: see below.
    const cases = (await allCases()).filter((c) => serverNeeded(c.status, c.operation.path) !== 'keystone');
    try {
      await checkEach(
        cases,
        async ({ operation, status }) => {
          const template = operation.path;
          const body = exampleBody(operation);
          const { request, listed } = await prepare(send, {
            template,
            status,
            userPrefix: 'statuses',
            request: {
              method: operation.method.toUpperCase(),
              path: examplePath(operation, PROJECT),
              headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
              body: body === undefined ? undefined : JSON.stringify(body),
            },
          });
          const needed = serverNeeded(status, template);
          const target = (needed && servers[needed]) ?? server;
          const res = await target.request(request.method, request.path, {
            headers: request.headers,
            ...(request.body === undefined ? {} : { raw: request.body }),
          });
          if (res.status !== status) throw new Error(`answered ${res.status} ${res.text}`);
          if (listed && !showsItem(res.body)) throw new Error(`the list does not show the item made for it: ${res.text}`);
        },
        caseName,
      );
    } finally {
      silence.mockRestore();
    }
    expect(cases.length).toBeGreaterThan(300);
  }, 180_000); // some 500 cases; each 408 waits out the impatient server's half second

  withKeystone('with a real Keystone', (ks) => {
    const secured = serverFor(engine, { auth: ks.auth() });

    it('produces every documented 403: a token for another project, or for none', async () => {
      const cases = (await allCases()).filter((c) => serverNeeded(c.status, c.operation.path) === 'keystone');
      expect(cases.length).toBeGreaterThan(50);
      const projectToken = await ks.token('alice');
      const unscopedToken = await ks.token('alice', 'unscoped');
      await checkEach(
        cases,
        async ({ operation }) => {
          // PROJECT is not alice's project; v1 has no project in its URL, so its token has none.
          const v2 = operation.path.startsWith('/v2');
          const path = operation.path.replace('{project_id}', PROJECT).replace(/\{\w+\}/g, 'some-id');
          const json = exampleBody(operation);
          const res = await secured.request(operation.method.toUpperCase(), path, {
            headers: { 'X-Auth-Token': v2 ? projectToken : unscopedToken },
            ...(json === undefined ? {} : { json }),
          });
          expect(res.status).toBe(403);
        },
        caseName,
      );
    });
  });
});

function exampleBody(operation: Operation): unknown {
  const body = operation.requestBody as { content?: Record<string, { example?: unknown }> } | undefined;
  return body?.content?.['application/json']?.example;
}
