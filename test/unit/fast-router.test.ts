// The precompiled matcher answers exactly as openapi-backend's own, for every path and method.
import OpenAPIBackend, { type Request } from 'openapi-backend';
import { precompileRouter } from '../../src/api/fast-router';
import { SPEC_PATH } from '../../src/paths';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

async function backend(precompiled: boolean) {
  const api = new OpenAPIBackend({ definition: SPEC_PATH, quick: true });
  await api.init();
  if (precompiled) precompileRouter(api);
  return api;
}

function outcome(api: OpenAPIBackend, method: string, path: string): string {
  try {
    return api.router.matchOperation({ method, path, headers: {} }, true)?.operationId ?? 'none';
  } catch (err) {
    return (err as Error).message.slice(0, 3);
  }
}

it('routes every spec path, method and variation like the stock matcher', async () => {
  const [stock, fast] = await Promise.all([backend(false), backend(true)]);
  const paths = new Set<string>();
  for (const op of stock.router.getOperations()) {
    const concrete = op.path.replace(/\{[^}]+\}/g, 'x1');
    for (const variant of [
      concrete, `${concrete}/`, `${concrete}//`, `${concrete}/extra`, `${concrete}?q=1`,
      op.path.replace(/\{[^}]+\}/g, 'a.b-c_d'), op.path.replace(/\{[^}]+\}/g, ''),
      concrete.replace(/\/[^/]+$/, ''), concrete.toUpperCase(),
    ]) {
      paths.add(variant);
    }
  }
  for (const extra of ['/', '', '/nothing', '/v2', '/v2/', '/v2/p', '/v1/jobs/a/b/c', '/v2/p/sessions/s/jobs', '/healthcheck/x']) paths.add(extra);
  let compared = 0;
  for (const path of paths) {
    for (const method of [...METHODS, ...METHODS.map((m) => m.toUpperCase())]) {
      expect([method, path, outcome(fast, method, path)]).toEqual([method, path, outcome(stock, method, path)]);
      compared++;
    }
  }
  expect(compared).toBeGreaterThan(3000);
});

it('parses every operation\'s requests like the stock parser', async () => {
  const [stock, fast] = await Promise.all([backend(false), backend(true)]);
  const queries = [
    undefined, '', 'limit=5&offset=0', 'marker=abc&limit=1000', 'limit=x', `search=${encodeURIComponent('{"match":[{"a":1}]}')}`,
    'search=%7Bbroken', 'all_projects=False&limit=2', 'a=1&a=2', 'unknown[x]=1', 'search=',
  ];
  const bodies = [undefined, { a: 1 }, '{"a":[1,2]}', '{broken', '', 'null'];
  const headerSets: Record<string, string>[] = [{}, { 'Content-Type': 'application/json', 'X-User-Id': 'u' }, { accept: '*/*', 'x-auth-token': 't' }];
  let compared = 0;
  for (const operation of stock.router.getOperations()) {
    const paths = [
      operation.path.replace(/\{[^}]+\}/g, 'x1'),
      `${operation.path.replace(/\{[^}]+\}/g, 'a%20b%2Fc')}/`,
      operation.path.replace(/\{[^}]+\}/g, 'caf%C3%A9'),
    ];
    for (const path of paths) {
      for (const query of queries) {
        for (const body of bodies) {
          const headers = headerSets[compared % headerSets.length]!;
          const req: Request = { method: operation.method.toUpperCase(), path, query, body, headers };
          expect(fast.router.parseRequest(structuredClone(req), operation)).toEqual(stock.router.parseRequest(structuredClone(req), operation));
          expect(fast.router.parseRequest(structuredClone(req))).toEqual(stock.router.parseRequest(structuredClone(req)));
          compared++;
        }
      }
    }
  }
  expect(compared).toBeGreaterThan(10000);
  // Requests with cookies take the stock path; make sure that path is still an equal answer.
  const withCookie = { method: 'get', path: '/v2/p/backups', query: 'limit=1', headers: { Cookie: 'a=1; b=2' } };
  expect(fast.router.parseRequest(structuredClone(withCookie))).toEqual(stock.router.parseRequest(structuredClone(withCookie)));
});

it('answers 400, where the stock parser threw, to a path parameter that is not valid percent-encoding', async () => {
  const fast = await backend(true);
  const operation = fast.router.getOperations().find((op) => op.operationId === 'getBackup')!;
  const parse = () => fast.router.parseRequest({ method: 'get', path: '/v2/p/backups/%E0%A4%A', headers: {} }, operation);
  expect(parse).toThrow('path parameter "backup_id" is not valid percent-encoded UTF-8');
  expect(() => parse()).toThrow(expect.objectContaining({ status: 400 }));
});
