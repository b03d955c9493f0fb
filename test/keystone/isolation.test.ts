// Tenant isolation with real Keystone tokens (the Keystone of test/keystone/start.sh): alice,
// member of p1, and bob, member of p2, each own one of everything; then each aims every
// operation of test/helpers/isolation.ts at the other's ids. On the other project's URLs every
// v2 operation is refused by policy (403, whatever the id or body); on its own project's URLs and
// in v1 (the token's project) each answers exactly as for ids nobody has, or the documented 409
// for a taken id. Nothing of the victim's changes. Identity headers are ignored in keystone mode,
// so only the token says who is asking.
import { ENGINES } from '../helpers/engines';
import { serverFor } from '../helpers/http';
import {
  type Crossing,
  type Ids,
  type Tally,
  type Tenant,
  aimedV2Operations,
  createEverything,
  crossTenant,
  projectOperationIds,
} from '../helpers/isolation';
import { withKeystone } from '../helpers/keystone';

withKeystone('tenant isolation with real Keystone tokens', (ks) => {
  // No trusts: the jobs here run on private clients, and Keystone's trust calls are not the point.
  const server = serverFor(ENGINES[0]!, { auth: ks.auth({}, { mode: 'off' }) });
  const tenants: Record<'alice' | 'bob', Tenant> = {
    alice: { label: 'alice@p1', user: ks.users.alice, project: ks.projects.p1, headers: {} },
    bob: { label: 'bob@p2', user: ks.users.bob, project: ks.projects.p2, headers: {} },
  };
  const owned = new Map<Tenant, Ids>();
  const tally: Tally = { attempts: 0, onTheirUrls: 0, requests: 0 };

  beforeAll(async () => {
    for (const [name, t] of Object.entries(tenants)) {
      // Forged identity headers besides the token: keystone mode must not listen to them.
      const forged = { 'X-User-Id': 'forged', 'X-Project-Id': name === 'alice' ? ks.projects.p2 : ks.projects.p1 };
      t.headers = { 'X-Auth-Token': await ks.token(name as 'alice' | 'bob'), ...forged };
      owned.set(t, await createEverything(server, t));
    }
  });
  afterAll(() => {
    console.log(
      `tenant isolation with Keystone tokens: ${tally.attempts} cross-tenant attempts ` +
        `(${tally.onTheirUrls} on the other project's URLs, each 403), ${tally.requests} requests with the unknown-id references`,
    );
  });

  const crossingOf = (attacker: Tenant, victim: Tenant): Crossing => ({
    attacker,
    victim,
    mine: owned.get(attacker)!,
    their: owned.get(victim)!,
    userScope: false,
  });

  it.each([
    ['alice', 'bob'],
    ['bob', 'alice'],
  ] as const)("%s's token, aimed at every operation on the ids of %s, is refused or answered as for unknown ids", (a, v) =>
    crossTenant(server, crossingOf(tenants[a], tenants[v]), tally),
  );

  it("aims every v2 operation of a project at the other project's ids and URLs", async () => {
    expect(await aimedV2Operations(crossingOf(tenants.alice, tenants.bob))).toEqual(await projectOperationIds());
    // Each of them was answered 403 on the other project's URLs (crossTenant checked it).
    expect(tally.onTheirUrls).toBeGreaterThan(0);
  });
});
