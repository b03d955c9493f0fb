// Our dispatch hands every handler exactly what openapi-backend's own handleRequest would: the same
// operation, the same parsed and coerced request, the same 404/405/400 outcomes.
import type Koa from 'koa';
import type { Context, Request } from 'openapi-backend';
import { createBackend, dispatch } from '../../src/api/backend';
import type { Handlers } from '../../src/api/types';

type Outcome = { operationId: string; request: unknown } | { failed: string; request: unknown } | { error: string; status?: number };

async function outcome(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    return (await run()) as Outcome;
  } catch (err) {
    return { error: (err as Error).message, status: (err as { status?: number }).status };
  }
}

it('hands handlers what handleRequest hands them, for every operation', async () => {
  // Every operation's handler reports what it was given.
  const handlers = new Proxy({}, {
    get: (_target, operationId: string) => (c: Context) => ({ operationId, request: c.request, validation: c.validation }),
  }) as Handlers;
  const operationIds = (await createBackend(handlers)).router.getOperations().map((op) => op.operationId!);
  const api = await createBackend(Object.fromEntries(operationIds.map((id) => [id, (handlers as Record<string, unknown>)[id]])) as Handlers);
  const ctx = { get: () => '' } as unknown as Koa.Context; // no Accept header: anything goes
  // validationFail reports what it was given too (the server's own throws a 400 built from the errors).
  api.register('validationFail', (c: Context) => ({ failed: c.operation?.operationId, request: c.request, validation: c.validation }));

  const bodies = [undefined, {}, { backup_name: 'b', container: 'c', hostname: 'h' }, { client_id: 'p_n1' }, '{"broken'];
  const queries = [
    '', 'limit=5&offset=2', 'limit=0', 'limit=x', 'marker=m1', 'all_projects=true',
    `search=${encodeURIComponent('{"match":[{"a":1}]}')}`, 'search=%7B', 'search=%221%22', 'search=1',
  ];
  let compared = 0;
  const seen = new Map<string, number>(); // outcome kind -> count, so the comparison is not vacuous
  for (const operation of api.router.getOperations()) {
    const path = operation.path.replace(/\{[^}]+\}/g, 'id_1');
    for (const [method, query, body] of [
      ...bodies.map((b, i) => [operation.method, queries[i % queries.length]!, b] as const),
      ...queries.map((q) => [operation.method, q, undefined] as const),
      ['trace', '', undefined] as const,
    ]) {
      // With a cookie header the request takes the stock parser's path; without, ours.
      for (const cookie of (compared % 7 === 0 ? [{}, { Cookie: 'a=1' }] : [{}]) as Record<string, string>[]) {
        const req: Request = { method: method.toUpperCase(), path, query, body, headers: { 'content-type': 'application/json', 'x-user-id': 'u', ...cookie } };
        const expected = await outcome(() => api.handleRequest(structuredClone(req), ctx));
        expect(await outcome(() => dispatch(api, structuredClone(req), ctx))).toEqual(expected);
        const kind = 'status' in expected ? String(expected.status) : 'failed' in expected ? '400' : 'handled';
        seen.set(kind, (seen.get(kind) ?? 0) + 1);
        compared++;
      }
    }
  }
  for (const path of ['/nothing', '/v2/p/backups/a/b', '/v1/jobs/x/event/y']) {
    const req: Request = { method: 'GET', path, headers: {} };
    expect(await outcome(() => dispatch(api, structuredClone(req), ctx))).toEqual(await outcome(() => api.handleRequest(structuredClone(req), ctx)));
  }
  expect(compared).toBeGreaterThan(600);
  expect(seen.get('handled')).toBeGreaterThan(100);
  expect(seen.get('400')).toBeGreaterThan(150);
  expect(seen.get('405')).toBeGreaterThan(50);
});
