// Tenant isolation, adversarially, on every engine and in both scopes. Tenants (users of two
// projects, one user id in two projects, and in the user scope two users of one project) each own
// one of everything; then each aims every operation there is (test/helpers/isolation.ts: get,
// list, search, marker, replace, both PATCH media types, DELETE, If-Match, job events, session
// actions, session membership both ways; v1 and v2; on its own project's URLs and on the
// victim's) at the other's ids. Each attempt must answer exactly as the same request naming ids
// nobody has (or, for a create or replace under a taken id, the documented 409), must leave every
// row the attacker does not own as it was, and the victim's whole view (v1 and v2) must be the
// same afterwards. Central clients are every project's by design; a private client is not.
import { engineRows } from '../helpers/engines';
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

/** noauth identity: the user, and the credentials' project (which also scopes v1). */
const tenant = (user: string, project: string): Tenant => ({
  label: `${user}@${project}`,
  user,
  project,
  headers: { 'X-User-Id': user, 'X-Project-Id': project },
});

const ALICE = tenant('alice', 'proj-iso-a');
const BOB = tenant('bob', 'proj-iso-b');
/** Alice's project, another user: only the user scope keeps them apart. */
const CAROL = tenant('carol', 'proj-iso-a');
/** Alice's user id in another project: the project keeps them apart, in v1 too. */
const ALICE_ELSEWHERE = tenant('alice', 'proj-iso-c');

const CENTRAL_ADMIN = { 'X-User-Id': 'central-admin', 'X-Roles': 'admin', 'X-Project-Id': 'proj-iso-central' };
const CENTRAL_CLIENT = { client_id: 'central-iso-node', hostname: 'central', is_central: true };
const DENIED = { title: 'Access Forbidden', description: 'You are not allowed to access this resource' };

const SCOPES = [
  {
    scope: 'project',
    tenants: [ALICE, BOB, ALICE_ELSEWHERE],
    crossings: [[ALICE, BOB] as const, [BOB, ALICE] as const, [ALICE_ELSEWHERE, ALICE] as const],
  },
  {
    scope: 'user',
    tenants: [ALICE, BOB, CAROL, ALICE_ELSEWHERE],
    crossings: [
      [ALICE, BOB] as const,
      [BOB, ALICE] as const,
      [ALICE, CAROL] as const,
      [CAROL, ALICE] as const,
      [ALICE_ELSEWHERE, ALICE] as const,
    ],
  },
] as const;

describe.each(engineRows)('tenant isolation on %s', (engineName, engine) => {
  describe.each(SCOPES)('in the $scope scope', ({ scope, tenants, crossings }) => {
    const server = serverFor(engine, { scope });
    const owned = new Map<Tenant, Ids>();
    const tally: Tally = { attempts: 0, onTheirUrls: 0, requests: 0 };

    beforeAll(async () => {
      for (const t of tenants) owned.set(t, await createEverything(server, t));
      const central = await server.request('POST', '/v2/proj-iso-central/clients', {
        headers: CENTRAL_ADMIN,
        json: CENTRAL_CLIENT,
      });
      expect(central.status).toBe(201);
    });
    afterAll(() => {
      console.log(
        `tenant isolation on ${engineName}, ${scope} scope: ${tally.attempts} cross-tenant attempts ` +
          `(${tally.onTheirUrls} on the victim's project URLs), ${tally.requests} requests with the unknown-id references`,
      );
    });

    const crossingOf = (attacker: Tenant, victim: Tenant): Crossing => ({
      attacker,
      victim,
      mine: owned.get(attacker)!,
      their: owned.get(victim)!,
      userScope: scope === 'user',
    });

    it.each(crossings.map(([attacker, victim]) => [attacker.label, victim.label, attacker, victim] as const))(
      '%s, aiming every operation at the ids of %s, changes and learns nothing',
      (_attacker, _victim, attacker, victim) => crossTenant(server, crossingOf(attacker, victim), tally),
      300_000,
    );

    it("aims every v2 operation of a project at the other tenant's ids", async () => {
      const [attacker, victim] = crossings[0];
      expect(await aimedV2Operations(crossingOf(attacker, victim))).toEqual(await projectOperationIds());
    });

    it("sees a central client in every project (by design), and no other project's or user's private client", async () => {
      for (const t of tenants) {
        const listed = await server.request('GET', `/v2/${t.project}/clients?limit=1000`, { headers: t.headers });
        const ids = (listed.body as { clients: { client: { client_id: string } }[] }).clients.map((c) => c.client.client_id);
        expect(ids.sort()).toEqual([owned.get(t)!.client, CENTRAL_CLIENT.client_id].sort());
        const shown = await server.request('GET', `/v2/${t.project}/clients/${CENTRAL_CLIENT.client_id}`, { headers: t.headers });
        expect(shown.status).toBe(200);
        // Seen, not theirs: deleting another project's central client is refused, and it stays.
        const refused = await server.request('DELETE', `/v2/${t.project}/clients/${CENTRAL_CLIENT.client_id}`, {
          headers: t.headers,
        });
        expect([refused.status, refused.body]).toEqual([403, DENIED]);
      }
      const kept = await server.request('GET', `/v2/proj-iso-central/clients/${CENTRAL_CLIENT.client_id}`, {
        headers: CENTRAL_ADMIN,
      });
      expect(kept.body).toMatchObject({ client: CENTRAL_CLIENT, user_id: 'central-admin', project_id: 'proj-iso-central' });
    });
  });
});
