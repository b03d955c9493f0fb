// The operations that run without a caller are the ones whose spec security names no identity
// scheme (`security: []`, or the metrics' own token); the
// handler types (PUBLIC_OPERATIONS) must say the same, or a handler would be typed with a caller
// it never gets (or without one it has).
import { createDispatcher } from '../../src/api/dispatch';
import { loadSpec } from '../../src/api/spec';
import { PUBLIC_OPERATIONS } from '../../src/api/types';

it('types exactly the operations the spec leaves unsecured as public', async () => {
  const { routes } = createDispatcher(await loadSpec());
  const unsecured = routes.filter((route) => !route.secured).map((route) => route.operationId);
  expect(unsecured.sort()).toEqual([...PUBLIC_OPERATIONS].sort());
  expect(routes.length - unsecured.length).toBeGreaterThan(50);
});
