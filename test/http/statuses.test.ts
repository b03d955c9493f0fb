// Every operation in the spec, with every status it documents, really produced over HTTP on every
// engine (and checked against the spec by the request helper). A new operation or status without
// a recipe here fails, so the spec cannot promise what no test has seen.
import type { Operation } from 'openapi-backend';
import { engineRows } from '../helpers/engines';
import { startTestServer, type RequestOptions, type TestServer } from '../helpers/http';
import { specApi } from '../helpers/spec';

const PROJECT = 'proj-statuses';

/** A valid body for creating one item of each collection, unique per call. */
const FIXTURES: Record<string, (n: number) => object> = {
  backups: (n) => ({ backup_name: `b${n}`, container: 'c', hostname: 'h' }),
  clients: (n) => ({ client_id: `node${n}` }),
};

interface Case {
  operation: Operation;
  status: number;
}

let counter = 0;

async function allCases(): Promise<Case[]> {
  const api = await specApi();
  return api.getOperations().flatMap((operation) =>
    Object.keys(operation.responses ?? {}).map((status) => ({ operation, status: Number(status) })),
  );
}

describe.each(engineRows)('every documented status on %s', (_name, engine) => {
  let server: TestServer;
  /** A server whose database has gone away, for the 500/503 cases. */
  let broken: TestServer;
  let cases: Case[];

  beforeAll(async () => {
    cases = await allCases();
    server = await startTestServer(engine);
    broken = await startTestServer(engine);
    await broken.db.destroy();
  });
  afterAll(async () => {
    await server.close();
    await broken.close();
  });

  it('has a recipe for every operation and status, and each produces its status', async () => {
    const silence = jest.spyOn(console, 'error').mockImplementation(() => {});
    const seen: string[] = [];
    for (const { operation, status } of cases) {
      const user = { 'X-User-Id': `statuses-${++counter}` };
      const target = status >= 500 ? broken : server;
      const collection = collectionOf(operation.path);
      let path = operation.path.replace('{project_id}', PROJECT);
      let options: RequestOptions = { headers: user };
      const body = exampleBody(operation);
      if (body !== undefined) options.json = body;

      if (/\{[a-z_]+\}$/.test(path)) {
        // By-id operations: a real item for success, a missing one for 404, any id otherwise.
        let id = 'missing-id';
        if (status < 300) id = await createFixture(server, path.replace(/\/\{[a-z_]+\}$/, ''), collection!, user);
        path = path.replace(/\{[a-z_]+\}$/, id);
      } else if (status === 200 && collection && operation.method === 'get') {
        await createFixture(server, path, collection, user);
      }

      switch (status) {
        case 400:
          path += '?unknown_parameter=1';
          options.headers = { ...user, Accept: '*/*' };
          break;
        case 406:
          options.headers = { ...user, Accept: path === '/healthcheck' ? 'application/json' : 'text/html' };
          break;
        case 409:
          await server.request('POST', path, options);
          break;
        case 413:
          options = { headers: user, json: { ...(body as object), pad: 'x'.repeat(1024 * 1024) } };
          break;
        case 415:
          options = { headers: { ...user, 'Content-Type': 'text/plain' }, raw: JSON.stringify(body) };
          break;
        case 404:
        case 500:
        case 503:
        default:
          if (status >= 300 && ![300, 404, 500, 503].includes(status)) {
            throw new Error(`no recipe for ${operation.operationId} ${status}: add one to this test`);
          }
      }
      const res = await target.request(operation.method.toUpperCase(), path, options);
      expect([operation.operationId, res.status]).toEqual([operation.operationId, status]);
      seen.push(`${operation.operationId} ${status}`);
    }
    silence.mockRestore();
    expect(seen.length).toBe(cases.length);
  });
});

function collectionOf(path: string): string | undefined {
  return Object.keys(FIXTURES).find((name) => new RegExp(`/${name}(/\\{[a-z_]+\\})?$`).test(path));
}

function exampleBody(operation: Operation): unknown {
  const body = operation.requestBody as { content?: Record<string, { example?: unknown }> } | undefined;
  return body?.content?.['application/json']?.example;
}

async function createFixture(server: TestServer, collectionPath: string, collection: string, headers: Record<string, string>) {
  const res = await server.request('POST', collectionPath, { json: FIXTURES[collection]!(++counter), headers });
  expect(res.status).toBe(201);
  const body = res.body as Record<string, string>;
  return body.backup_id ?? body.client_id!;
}
