// Every operation in the spec, with every status it documents, really produced over HTTP on every
// engine (and checked against the spec by the request helper). A new operation or status without
// a recipe here fails, so the spec cannot promise what no test has seen.
import type { Operation } from 'openapi-backend';
import { engineRows } from '../helpers/engines';
import { serverFor, type RequestOptions, type TestServer } from '../helpers/http';
import { unreachableKeystone, withKeystone } from '../helpers/keystone';
import { specApi } from '../helpers/spec';

const PROJECT = 'proj-statuses';
/** The client the spec's job examples name. */
const EXAMPLE_CLIENT = '6b2f3b1c9e8d4a0f8c1d2e3f4a5b6c7d_node1';

type Headers = Record<string, string>;
type Fixture = (server: TestServer, base: string, headers: Headers) => Promise<string>;

let counter = 0;

async function created(server: TestServer, path: string, json: object, headers: Headers, idKey: string) {
  const res = await server.request('POST', path, { json, headers });
  expect([path, res.status]).toEqual([path, 201]);
  return (res.body as Record<string, string>)[idKey]!;
}

/** How to make one item, by the path parameter that names it. */
const FIXTURES: Record<string, Fixture> = {
  backup_id: (s, base, h) => created(s, `${base}/backups`, { backup_name: 'b', container: 'c', hostname: 'h' }, h, 'backup_id'),
  client_id: (s, base, h) => created(s, `${base}/clients`, { client_id: `node${++counter}` }, h, 'client_id'),
  action_id: (s, base, h) => created(s, `${base}/actions`, { freezer_action: { action: 'backup' } }, h, 'action_id'),
  session_id: (s, base, h) => created(s, `${base}/sessions`, { schedule: {} }, h, 'session_id'),
  job_id: (s, base, h) =>
    created(s, `${base}/jobs`, { client_id: EXAMPLE_CLIENT, job_actions: [{ freezer_action: { action: 'backup' } }] }, h, 'job_id'),
};

async function allCases(): Promise<{ operation: Operation; status: number }[]> {
  const api = await specApi();
  return api.getOperations().flatMap((operation) =>
    Object.keys(operation.responses ?? {}).map((status) => ({ operation, status: Number(status) })),
  );
}

describe.each(engineRows)('every documented status on %s', (_name, engine) => {
  const server = serverFor(engine);
  /** Its database has gone away: the 500/503 cases. */
  const broken = serverFor(engine);
  /** keystone mode with no Keystone to ask: 401 without a token, 503 with one. */
  const unreachable = serverFor(engine, { auth: unreachableKeystone() });
  beforeAll(() => broken.db.destroy());

  it('has a recipe for every operation and status, and each produces its status', async () => {
    const silence = jest.spyOn(console, 'error').mockImplementation(() => {});
    const cases = (await allCases()).filter((c) => c.status !== 403);
    for (const { operation, status } of cases) {
      const user: Headers = { 'X-User-Id': `statuses-${++counter}` };
      const base = operation.path.startsWith('/v2') ? `/v2/${PROJECT}` : '/v1';
      if (/\/(jobs|sessions)/.test(operation.path)) {
        await server.request('POST', `${base}/clients`, { json: { client_id: EXAMPLE_CLIENT }, headers: user });
      }
      // Path ids: real items where the operation must find them, a missing one for 404.
      let path = operation.path.replace('{project_id}', PROJECT);
      const ids: Record<string, string> = {};
      for (const [, name] of path.matchAll(/\{(\w+)\}/g)) {
        const needsItem = status !== 404 && !(operation.method === 'post' && /replace/.test(operation.operationId!) && status === 201);
        ids[name!] = needsItem ? await FIXTURES[name!]!(server, base, user) : 'missing-id';
        path = path.replace(`{${name}}`, ids[name!]!);
      }
      let body = exampleBody(operation);
      if (operation.operationId!.startsWith('postSessionAction') && status === 202) {
        await server.request('PUT', `${path.replace(/\/action$/, '')}/jobs/${ids.job_id ?? (ids.job_id = await FIXTURES.job_id!(server, base, user))}`, { headers: user });
        body = { start: { job_id: ids.job_id, current_tag: 0 } };
      }
      let options: RequestOptions = { headers: user, ...(body === undefined ? {} : { json: body }) };

      switch (status) {
        case 400:
          path += '?unknown_parameter=1';
          options.headers = { ...user, Accept: '*/*' };
          break;
        case 401:
          options.headers = {};
          break;
        case 406:
          options.headers = { ...user, Accept: path === '/healthcheck' ? 'application/json' : 'text/html' };
          break;
        case 409: {
          // Actions get a new id unless the body names one.
          if (path.endsWith('/actions')) options.json = { ...(body as object), action_id: `dup${++counter}` };
          await server.request('POST', path, options);
          break;
        }
        case 412:
          options.headers = { ...user, 'If-Match': '"999"' };
          break;
        case 413:
          options = { headers: user, json: { ...(body as object), pad: 'x'.repeat(1024 * 1024) } };
          break;
        case 415:
          options = { headers: { ...user, 'Content-Type': 'text/plain' }, raw: JSON.stringify(body) };
          break;
        case 422:
          options.json = { ...(body as object), client_id: 'never-registered' };
          break;
        default:
          if (status >= 300 && ![300, 401, 404, 500, 503].includes(status)) {
            throw new Error(`no recipe for ${operation.operationId} ${status}: add one to this test`);
          }
      }
      // 503 is also the health check's "database unavailable"; elsewhere it is "Keystone unavailable".
      const identity503 = status === 503 && operation.operationId !== 'getHealth';
      if (identity503) options.headers = { 'X-Auth-Token': 'any' };
      const target = status === 401 || identity503 ? unreachable : status >= 500 ? broken : server;
      const res = await target.request(operation.method.toUpperCase(), path, options);
      expect([operation.operationId, res.status, res.text]).toEqual([operation.operationId, status, expect.any(String)]);
    }
    silence.mockRestore();
    expect(cases.length).toBeGreaterThan(300);
  });

  withKeystone('with a real Keystone', (ks) => {
    const secured = serverFor(engine, { auth: ks.auth() });

    it('produces every documented 403: a token for another project, or for none', async () => {
      const cases = (await allCases()).filter((c) => c.status === 403);
      expect(cases.length).toBeGreaterThan(50);
      const projectToken = await ks.token('alice');
      const unscopedToken = await ks.token('alice', 'unscoped');
      for (const { operation } of cases) {
        // PROJECT is not alice's project; v1 has no project in its URL, so its token has none.
        const v2 = operation.path.startsWith('/v2');
        const path = operation.path.replace('{project_id}', PROJECT).replace(/\{\w+\}/g, 'some-id');
        const json = exampleBody(operation);
        const res = await secured.request(operation.method.toUpperCase(), path, {
          headers: { 'X-Auth-Token': v2 ? projectToken : unscopedToken },
          ...(json === undefined ? {} : { json }),
        });
        expect([operation.operationId, res.status]).toEqual([operation.operationId, 403]);
      }
    });
  });
});

function exampleBody(operation: Operation): unknown {
  const body = operation.requestBody as { content?: Record<string, { example?: unknown }> } | undefined;
  return body?.content?.['application/json']?.example;
}
