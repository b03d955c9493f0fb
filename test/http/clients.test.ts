// Registered clients over HTTP, v1 and v2, on every engine.
import { engineRows } from '../helpers/engines';
import { serverFor, VERSIONS } from '../helpers/http';
import { startingWith } from '../helpers/matchers';

const ALL = {
  supported_actions: ['backup', 'restore', 'info', 'admin', 'exec'],
  supported_modes: ['fs', 'mongo', 'mysql', 'sqlserver', 'cinder', 'glance', 'cindernative', 'nova'],
  supported_storages: ['local', 'swift', 'ssh', 's3', 'ftp', 'ftps'],
  supported_engines: ['tar', 'rsync', 'rsyncv2', 'nova', 'osbrick', 'glance'],
};

/** What freezer-scheduler registers at start-up. */
const SCHEDULER_CLIENT = {
  client_id: 'proj-a_node1',
  hostname: 'node1',
  supported_actions: ['backup', 'restore'],
  supported_modes: ['fs'],
  supported_storages: ['local', 'swift'],
  supported_engines: ['tar'],
};

describe.each(engineRows)('clients on %s', (_name, engine) => {
  // Bound to the user in both versions (FREEZER_API_SCOPE=user, the 13.x–18.x rule), so that each
  // test's user sees only its own; test/http/project-scope.test.ts covers the default.
  const server = serverFor(engine, { scope: 'user' });

  describe.each(VERSIONS)('%s', (version, prefix) => {
    const alice = { 'X-User-Id': `alice-${version}` };
    const projectId = version === 'v2' ? 'proj-a' : null;

    it('registers the seed client, fills in uuid and capabilities, shows, lists and deletes it', async () => {
      const seed = {
        hostname: 'my-workstation',
        description: 'my simple freezer client description',
        client_id: '5c869f05e23149e4bf18639f2dd96380_my-workstation',
      };
      const created = await server.request('POST', `${prefix}/clients`, { json: seed, headers: alice });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ client_id: seed.client_id });

      const shown = await server.request('GET', `${prefix}/clients/${seed.client_id}`, { headers: alice });
      expect(shown.status).toBe(200);
      const { client } = shown.body as { client: { uuid: string } };
      expect(client.uuid).toMatch(/^[0-9a-f]{32}$/);
      expect(shown.body).toEqual({
        user_id: `alice-${version}`,
        project_id: projectId,
        client: { ...seed, ...ALL, uuid: client.uuid, is_central: false },
      });

      const listed = await server.request('GET', `${prefix}/clients/`, { headers: alice });
      expect(listed.body).toEqual({ clients: [shown.body] });

      expect((await server.request('DELETE', `${prefix}/clients/${seed.client_id}`, { headers: alice })).status).toBe(204);
      expect((await server.request('GET', `${prefix}/clients/${seed.client_id}`, { headers: alice })).status).toBe(404);
    });

    it("keeps the scheduler's capabilities, its uuid and any extra keys as sent", async () => {
      const json = { ...SCHEDULER_CLIENT, uuid: 'my-own-uuid', is_central: false, labels: { rack: 3 } };
      expect((await server.request('POST', `${prefix}/clients/`, { json, headers: alice })).status).toBe(201);
      const shown = await server.request('GET', `${prefix}/clients/${json.client_id}`, { headers: alice });
      expect(shown.body).toEqual({ user_id: `alice-${version}`, project_id: projectId, client: json });
      await server.request('DELETE', `${prefix}/clients/${json.client_id}`, { headers: alice });
    });

    it('updates the description and capabilities when the same client_id registers again', async () => {
      const first = await server.request('POST', `${prefix}/clients`, { json: SCHEDULER_CLIENT, headers: alice });
      expect(first.status).toBe(201);
      const url = `${prefix}/clients/${SCHEDULER_CLIENT.client_id}`;
      const before = (await server.request('GET', url, { headers: alice })).body as { client: Record<string, unknown> };
      const again = await server.request('POST', `${prefix}/clients`, {
        json: { ...SCHEDULER_CLIENT, hostname: 'renamed', uuid: 'another', description: 'changed', supported_engines: ['rsync'] },
        headers: alice,
      });
      expect(again.status).toBe(201);
      expect(again.body).toEqual({ client_id: SCHEDULER_CLIENT.client_id });
      const listed = await server.request('GET', `${prefix}/clients`, { headers: alice });
      // One registration, updated; its identity (hostname, uuid) as first registered.
      expect(listed.body).toEqual({
        clients: [
          {
            user_id: `alice-${version}`,
            project_id: projectId,
            client: { ...before.client, description: 'changed', supported_engines: ['rsync'] },
          },
        ],
      });

      // In user scope another user may register the same client_id, as a client of their own.
      const bob = { 'X-User-Id': 'bob' };
      expect((await server.request('POST', `${prefix}/clients`, { json: SCHEDULER_CLIENT, headers: bob })).status).toBe(201);
      expect((await server.request('GET', url, { headers: alice })).body).toMatchObject({ client: { description: 'changed' } });
      await server.request('DELETE', url, { headers: bob });
      await server.request('DELETE', url, { headers: alice });
    });

    it('shows nothing of another user and deletes nothing of theirs', async () => {
      await server.request('POST', `${prefix}/clients`, { json: SCHEDULER_CLIENT, headers: alice });
      const mallory = { 'X-User-Id': 'mallory' };
      const url = `${prefix}/clients/${SCHEDULER_CLIENT.client_id}`;
      expect((await server.request('GET', url, { headers: mallory })).status).toBe(404);
      expect((await server.request('GET', `${prefix}/clients`, { headers: mallory })).body).toEqual({ clients: [] });
      expect((await server.request('DELETE', url, { headers: mallory })).status).toBe(version === 'v2' ? 204 : 404);
      expect((await server.request('GET', url, { headers: alice })).status).toBe(200);
      await server.request('DELETE', url, { headers: alice });
    });

    it('pages oldest first', async () => {
      const user = { 'X-User-Id': `pager-${version}` };
      const ids = ['n0', 'n1', 'n2', 'n3'];
      for (const id of ids) await server.request('POST', `${prefix}/clients`, { json: { client_id: id }, headers: user });
      const page = async (query: string) =>
        (
          (await server.request('GET', `${prefix}/clients${query}`, { headers: user })).body as {
            clients: { client: { client_id: string } }[];
          }
        ).clients.map((c) => c.client.client_id);
      expect(await page('?limit=2')).toEqual(['n0', 'n1']);
      expect(await page('?limit=2&offset=2')).toEqual(['n2', 'n3']);
      expect(await page('?offset=1')).toEqual(['n1', 'n2', 'n3']);
    });

    it.each([
      ['no client_id', { hostname: 'x' }, 'body is missing required property "client_id"'],
      ['a bad project part', { client_id: 'bad%project$id_host.domain.tld' }, 'body field "client_id" must match pattern'],
      [
        'a bad host part',
        { client_id: '01b0f00a4c6a4be8a0cf3ec0ee0d6d5b_bad_hostname.bad/domain.b' },
        'body field "client_id" must match pattern',
      ],
      [
        'an unknown action',
        { client_id: 'node9', supported_actions: ['nope'] },
        'body field "supported_actions.0" must be one of "backup", "restore", "info", "admin", "exec"',
      ],
      ['a non-list capability', { client_id: 'node9', supported_modes: 'fs' }, 'body field "supported_modes" must be array'],
      ['no body', undefined, 'Missing request body'],
    ])('rejects %s with 400', async (_case, json, description) => {
      const res = await server.request('POST', `${prefix}/clients`, {
        json,
        headers: { ...alice, 'Content-Type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ title: 'Bad Request', description: startingWith(description) });
    });

    it('accepts a bare host name as client_id (no project prefix)', async () => {
      const json = { client_id: 'padawan-ccp-c1-m1-mgmt' };
      expect((await server.request('POST', `${prefix}/clients`, { json, headers: alice })).status).toBe(201);
      await server.request('DELETE', `${prefix}/clients/${json.client_id}`, { headers: alice });
    });

    it('answers 404 with a JSON error for a client nobody registered', async () => {
      const res = await server.request('GET', `${prefix}/clients/nope`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ title: 'Not Found', description: 'No client found with ID nope' });
      if (version === 'v1') {
        expect((await server.request('DELETE', `${prefix}/clients/nope`)).status).toBe(404);
      } else {
        expect((await server.request('DELETE', `${prefix}/clients/nope`)).status).toBe(204);
      }
    });
  });

  it('matches client ids exactly: case and trailing spaces count', async () => {
    const user = { 'X-User-Id': 'exact' };
    await server.request('POST', '/v2/p/clients', { json: { client_id: 'Node1' }, headers: user });
    expect((await server.request('POST', '/v2/p/clients', { json: { client_id: 'node1' }, headers: user })).status).toBe(201);
    expect((await server.request('GET', '/v2/p/clients/NODE1', { headers: user })).status).toBe(404);
    expect((await server.request('GET', '/v2/p/clients/node1%20', { headers: user })).status).toBe(404);
    expect((await server.request('GET', '/v2/p/clients/Node1', { headers: user })).body).toMatchObject({
      client: { client_id: 'Node1' },
    });
  });
});
