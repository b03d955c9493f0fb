// The dispatcher answers as openapi-backend's own router, parser and validator do, for what the
// spec defines: which operation (or 404, or 405 and its Allow), the path parameters, the query as
// qs reads it, and each request's validation verdict and coerced query. Beyond the stock router
// (the spec's "HTTP methods" rules): a HEAD with no operation of its own is its path's GET, an
// OPTIONS on a known path is answered (204) with Allow, and Allow always lists HEAD beside GET,
// and OPTIONS.
import type OpenAPIBackend from 'openapi-backend';
import type { Context, Document, Request } from 'openapi-backend';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import fc from 'fast-check';
import { type Dispatcher, createDispatcher } from '../../src/api/dispatch';
import { parseQuery, plainQuery } from '../../src/api/dispatch/query';
import { loadSpec } from '../../src/api/spec';
import { SPEC_PATH } from '../../src/paths';
import { ApiError } from '../../src/errors';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** What the stock library's handleRequest does with a request: the operation and what its handler gets, or the failure. */
type Outcome = { operationId: string; params?: unknown; query?: unknown } | { status: number; allow?: string[] };

let stock: OpenAPIBackend;

function withJsonContentParameters(document: Document): Document {
  for (const parameter of Object.values(document.components?.parameters ?? {}) as unknown as Record<string, unknown>[]) {
    if (!('x-json-schema' in parameter)) continue;
    parameter.content = { 'application/json': { schema: parameter['x-json-schema'] } };
    for (const key of ['x-json-schema', 'schema', 'example']) delete parameter[key];
  }
  return document;
}
let ours: Dispatcher;

beforeAll(async () => {
  // The stock library's own handleRequest, on the spec as the server loads it, with each JSON text
  // query parameter (`x-json-schema`) declared as what the extension means: application/json
  // content of that schema, which openapi-backend parses and validates itself.
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'freezer-dispatch-')), 'openapi.json');
  writeFileSync(file, JSON.stringify(withJsonContentParameters(parse(readFileSync(SPEC_PATH, 'utf8')) as Document)));
  stock = await loadSpec(file);
  stock.register({
    notFound: () => ({ status: 404 }),
    methodNotAllowed: () => ({ status: 405 }),
    validationFail: () => ({ status: 400 }),
    notImplemented: (c: Context) => ({ operationId: c.operation.operationId, params: c.request.params, query: c.request.query }),
  });
  ours = createDispatcher(await loadSpec());
});

const stockHas = (method: string, path: string) => Boolean(stock.router.matchOperation({ method, path, headers: {} }));

/** The methods the stock router finds an operation for at this path, HEAD beside GET, and OPTIONS: what Allow must list. */
function stockAllow(path: string): string[] {
  return METHODS.filter(
    (method) => stockHas(method, path) || (method === 'head' && stockHas('get', path)) || method === 'options',
  ).map((m) => m.toUpperCase());
}

async function stockOutcome(req: Request): Promise<Outcome> {
  const outcome = (await stock.handleRequest(structuredClone(req))) as Outcome;
  if (!('status' in outcome) || outcome.status !== 405) return outcome;
  const method = req.method.toLowerCase();
  if (method === 'head' && stockHas('get', req.path)) return stockOutcome({ ...req, method: 'get' });
  return { status: method === 'options' ? 204 : 405, allow: stockAllow(req.path) };
}

function ourOutcome(req: Request): Outcome {
  const match = ours.match(req.method, req.path);
  if (match.kind === 'notFound') return { status: 404 };
  if (match.kind === 'methodNotAllowed') return { status: 405, allow: match.allow };
  if (match.kind === 'options') return { status: 204, allow: match.allow };
  try {
    const request = structuredClone(req);
    const { params, query } = ours.prepare(match.route, {
      params: match.params,
      // Koa hands the query string apart from the path.
      queryString: typeof request.query === 'string' ? request.query : (request.path.split('?')[1] ?? ''),
      headers: request.headers,
      body: typeof request.body === 'string' ? JSON.parse(request.body) : request.body,
    });
    return { operationId: match.route.operationId, params, query };
  } catch (err) {
    if (err instanceof ApiError) return { status: err.status };
    throw err;
  }
}

/** Every case compared, the differences collected and reported together. */
async function compare(requests: Request[]): Promise<{ differences: unknown[]; kinds: Map<string, number> }> {
  const differences: unknown[] = [];
  const kinds = new Map<string, number>();
  for (const req of requests) {
    const expected = await stockOutcome(req);
    const actual = ourOutcome(req);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) differences.push({ req, expected, actual });
    const kind = 'status' in expected ? String(expected.status) : 'handled';
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return { differences: differences.slice(0, 20), kinds };
}

it('routes every spec path, method and variation like the stock router, and lists the same Allow', async () => {
  const paths = new Set<string>();
  for (const op of stock.router.getOperations()) {
    const concrete = op.path.replace(/\{[^}]+\}/g, 'x1');
    for (const variant of [
      concrete,
      `${concrete}/`,
      `${concrete}//`,
      `${concrete}/extra`,
      `${concrete}?q=1`,
      op.path,
      op.path.replace(/\{[^}]+\}/g, 'a.b-c_d'),
      op.path.replace(/\{[^}]+\}/g, ''),
      op.path.replace(/\{[^}]+\}/g, 'caf%C3%A9'),
      op.path.replace(/\{[^}]+\}/g, 'a%20b%2Fc'),
      concrete.replace(/\/[^/]+$/, ''),
      concrete.toUpperCase(),
    ]) {
      paths.add(variant);
    }
  }
  for (const extra of ['/', '', '/nothing', '/v2', '/v2/', '/v2/p', '/v1/jobs/a/b/c', '/v2/p/sessions/s/jobs', '/healthcheck/x'])
    paths.add(extra);
  const requests = [...paths].flatMap((path) =>
    [...METHODS, ...METHODS.map((m) => m.toUpperCase())].map((method) => ({ method, path, headers: { 'x-user-id': 'u' } })),
  );
  const { differences, kinds } = await compare(requests);
  expect(differences).toEqual([]);
  expect(requests.length).toBeGreaterThan(3000);
  expect(kinds.get('405')).toBeGreaterThan(500);
  expect(kinds.get('404')).toBeGreaterThan(500);
});

it('gives every operation the verdict and the coerced query the stock validator gives', async () => {
  const bodies = [
    undefined,
    {},
    { backup_name: 'b', container: 'c', hostname: 'h' },
    { client_id: 'p_n1' },
    { match: [{ a: 1 }] },
    [],
  ];
  const queries = [
    '',
    'limit=5&offset=2',
    'limit=0',
    'limit=x',
    'limit=1001',
    'offset=-1',
    'marker=m1',
    'marker=',
    'all_projects=true',
    'all_projects=yes',
    `search=${encodeURIComponent('{"match":[{"a":1}]}')}`,
    'search=%7B',
    'search=%221%22',
    'search=1',
    'search=',
    'a=1&a=2',
    'limit=1&limit=2',
    'unknown[x]=1',
    'limit=5&unknown=1',
    'x=%zz',
  ];
  const requests: Request[] = [];
  for (const operation of stock.router.getOperations()) {
    const path = operation.path.replace(/\{[^}]+\}/g, 'id_1');
    for (const query of queries) {
      for (const body of bodies) {
        requests.push({
          method: operation.method,
          path,
          query,
          body,
          headers: { 'content-type': 'application/json', 'x-user-id': 'u' },
        });
      }
    }
  }
  const { differences, kinds } = await compare(requests);
  expect(differences).toEqual([]);
  expect(kinds.get('handled')).toBeGreaterThan(300);
  expect(kinds.get('400')).toBeGreaterThan(3000);
});

it('reads query strings exactly as qs does, taking its own path only for plain name=value pairs', () => {
  const read = (query: string) => stock.router.parseRequestQuery({ method: 'get', path: '/', headers: {}, query });
  // Pieces that qs treats specially (brackets, escapes, '+', prototype names, repeats) mixed
  // with plain ones, so that both paths are taken often.
  const piece = fc.constantFrom(
    'a',
    'b',
    'limit',
    '1',
    '=',
    '==',
    '&',
    '&&',
    '%',
    '%2',
    '%20',
    '%5B',
    '%5d',
    '%C3%A9',
    '%E0%A4%A',
    '+',
    '.',
    '~',
    '-',
    '[',
    ']',
    '[]',
    '[0]',
    'toString',
    '__proto__',
    'constructor',
    'é',
    ' ',
    '"',
    '{',
    '}',
  );
  let plain = 0;
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
      const query = pieces.join('');
      if (plainQuery(query)) plain++;
      // The whole reader, its own path or qs's, against openapi-backend's.
      expect(parseQuery(query)).toEqual(read(query));
    }),
    { numRuns: 20_000 },
  );
  expect(plain).toBeGreaterThan(1_000);
  expect(plainQuery('limit=10&marker=a%20b')).toEqual({ limit: '10', marker: 'a b' });
});

it('answers 400, where the stock parser threw, to a path parameter that is not valid percent-encoding', () => {
  expect(() => ours.match('GET', '/v2/p/backups/%E0%A4%A')).toThrow(
    expect.objectContaining({ status: 400, message: 'path parameter "backup_id" is not valid percent-encoded UTF-8' }),
  );
});
