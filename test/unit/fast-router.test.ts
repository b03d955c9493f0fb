// The precompiled matcher answers exactly as openapi-backend's own, for every path and method.
import OpenAPIBackend from 'openapi-backend';
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
