// The precompiled matcher answers exactly as openapi-backend's own, for every path and method.
import OpenAPIBackend, { type Request } from 'openapi-backend';
import fc from 'fast-check';
import { plainQuery, precompileRouter } from '../../src/api/fast-router';
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

it('reads query strings exactly as qs does, taking its own path only for plain name=value pairs', async () => {
  const [stock, fast] = await Promise.all([backend(false), backend(true)]);
  const read = (api: OpenAPIBackend, query: string) => api.router.parseRequestQuery({ method: 'get', path: '/', headers: {}, query });
  // Pieces that qs treats specially (brackets, escapes, '+', '?', prototype names, repeats) mixed
  // with plain ones, so that both paths are taken often.
  const piece = fc.constantFrom(
    'a', 'b', 'limit', '1', '=', '==', '&', '&&', '%', '%2', '%20', '%5B', '%5d', '%C3%A9', '%E0%A4%A', '+', '?', '.', '~', '-',
    '[', ']', '[]', '[0]', 'toString', '__proto__', 'constructor', 'é', ' ', '"', '{', '}',
  );
  let plain = 0;
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
      const query = pieces.join('');
      if (plainQuery(query.replace('?', ''))) plain++;
      expect(read(fast, query)).toEqual(read(stock, query));
    }),
    { numRuns: 20_000 },
  );
  expect(plain).toBeGreaterThan(1_000);
  for (const query of ['limit=10', 'limit=10&offset=0&marker=abc', 'search=%7B%22a%22%3A1%7D', 'a=1&a=2', 'a=b=c', 'x=%zz', 'a+b=c+d', 'hasOwnProperty=1']) {
    expect([query, read(fast, query)]).toEqual([query, read(stock, query)]);
  }
  expect(plainQuery('limit=10&marker=a%20b')).toEqual({ limit: '10', marker: 'a b' });
});

it('answers 400, where the stock parser threw, to a path parameter that is not valid percent-encoding', async () => {
  const fast = await backend(true);
  const operation = fast.router.getOperations().find((op) => op.operationId === 'getBackup')!;
  const parse = () => fast.router.parseRequest({ method: 'get', path: '/v2/p/backups/%E0%A4%A', headers: {} }, operation);
  expect(parse).toThrow('path parameter "backup_id" is not valid percent-encoded UTF-8');
  expect(() => parse()).toThrow(expect.objectContaining({ status: 400 }));
});
