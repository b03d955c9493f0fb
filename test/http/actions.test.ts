// Actions over HTTP, v1 and v2, on every engine.
import { engineRows } from '../helpers/engines';
import { serverFor, VERSIONS } from '../helpers/http';
import { startingWith } from '../helpers/matchers';

/** What the original's tempest test posts: every value must come back exactly. */
const TEMPEST_ACTION = {
  freezer_action: {
    action: 'backup',
    mode: 'fs',
    src_file: '/home/tylerdurden/project_mayhem',
    backup_name: 'project_mayhem_backup',
    container: 'my_backup_container',
    max_backup_level: 1,
    always_backup_level: 0,
    no_incremental: true,
    encrypt_pass_file: '/secret/encrypt_pass',
    log_file: '/var/log/freezer.log',
    hostname: false,
    max_cpu_priority: false,
  },
  max_retries: 3,
  max_retries_interval: 60,
  mandatory: false,
};

/** freezer-web-ui's Edit Action with `no_incremental` unticked: the box's key is left out. */
const EDITED_ACTION = {
  freezer_action: {
    action: 'backup',
    backup_name: 'etc_backup',
    path_to_backup: '/etc',
    container: 'freezer_etc',
    storage: 'swift',
    mode: 'fs',
    max_retries: 3,
    max_retries_interval: 5,
    engine_name: 'tar',
    os_identity_api_version: '2',
    compression: 'gzip',
  },
  mandatory: false,
  max_retries: 3,
  max_retries_interval: 5,
};

describe.each(engineRows)('actions on %s', (_name, engine) => {
  // Bound to the user in both versions (FREEZER_API_SCOPE=user, the 13.x–18.x rule), so that each
  // test's user sees only its own; test/http/project-scope.test.ts covers the default.
  const server = serverFor(engine, { scope: 'user' });

  describe.each(VERSIONS)('%s', (version, prefix) => {
    const headers = { 'X-User-Id': `actions-${version}` };

    it('creates, shows, replaces, updates and deletes, keeping every value as sent', async () => {
      const created = await server.request('POST', `${prefix}/actions`, { json: TEMPEST_ACTION, headers });
      expect(created.status).toBe(201);
      const { action_id } = created.body as { action_id: string };
      const url = `${prefix}/actions/${action_id}`;
      expect((await server.request('GET', url, { headers })).body).toEqual({
        action_id,
        user_id: headers['X-User-Id'],
        project_id: version === 'v2' ? 'proj-a' : null,
        ...TEMPEST_ACTION,
        version: 1,
      });

      const renamed = { ...TEMPEST_ACTION, freezer_action: { ...TEMPEST_ACTION.freezer_action, backup_name: 'renamed' } };
      expect((await server.request('POST', url, { json: renamed, headers })).body).toEqual({ action_id, version: 2 });
      expect((await server.request('GET', url, { headers })).body).toMatchObject({
        freezer_action: { backup_name: 'renamed' },
        version: 2,
      });

      const patched = await server.request('PATCH', url, {
        json: { freezer_action: { backup_name: 'patched' }, max_retries: 1 },
        headers,
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toEqual({ action_id, version: 3 });
      const after = (await server.request('GET', url, { headers })).body as typeof TEMPEST_ACTION;
      expect(after.freezer_action).toEqual({ backup_name: 'patched' }); // each top-level key replaced whole, as the original
      expect(after).toMatchObject({ max_retries: 1, max_retries_interval: 60, mandatory: false });

      expect((await server.request('DELETE', url, { headers })).status).toBe(204);
      expect((await server.request('GET', url, { headers })).status).toBe(404);
      expect((await server.request('DELETE', url, { headers })).status).toBe(version === 'v2' ? 204 : 404);
    });

    it("removes what the web UI's Edit Action leaves out (an unticked no_incremental)", async () => {
      const created = await server.request('POST', `${prefix}/actions`, {
        json: { ...EDITED_ACTION, freezer_action: { ...EDITED_ACTION.freezer_action, no_incremental: true } },
        headers,
      });
      const { action_id } = created.body as { action_id: string };
      const url = `${prefix}/actions/${action_id}`;
      const res = await server.request('PATCH', url, {
        json: { ...EDITED_ACTION, freezer_action: { ...EDITED_ACTION.freezer_action, action_id } },
        headers,
      });
      expect(res.status).toBe(200);
      expect((await server.request('GET', url, { headers })).body).toEqual({
        action_id,
        user_id: headers['X-User-Id'],
        project_id: version === 'v2' ? 'proj-a' : null,
        ...EDITED_ACTION,
        freezer_action: { ...EDITED_ACTION.freezer_action, action_id },
        version: 2,
      });
    });

    it('merges an application/merge-patch+json PATCH, null deleting a key, and refuses deleting freezer_action', async () => {
      const { action_id } = (await server.request('POST', `${prefix}/actions`, { json: TEMPEST_ACTION, headers })).body as {
        action_id: string;
      };
      const url = `${prefix}/actions/${action_id}`;
      const mergeHeaders = { ...headers, 'Content-Type': 'application/merge-patch+json' };
      const res = await server.request('PATCH', url, {
        json: { freezer_action: { no_incremental: null, backup_name: 'merged' }, mandatory: null, note: { a: 1 } },
        headers: mergeHeaders,
      });
      expect(res.status).toBe(200);
      const { no_incremental: _gone, ...kept } = TEMPEST_ACTION.freezer_action;
      const { mandatory: _m, ...rest } = TEMPEST_ACTION;
      const expected = {
        action_id,
        user_id: headers['X-User-Id'],
        project_id: version === 'v2' ? 'proj-a' : null,
        ...rest,
        freezer_action: { ...kept, backup_name: 'merged' },
        note: { a: 1 },
        version: 2,
      };
      expect((await server.request('GET', url, { headers })).body).toEqual(expected);

      const refused = await server.request('PATCH', url, { json: { freezer_action: null }, headers: mergeHeaders });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({ title: 'Bad Request', description: 'body field "freezer_action" must not be null' });
      expect((await server.request('GET', url, { headers })).body).toEqual(expected);
    });

    it('uses a given action_id, once in the whole service', async () => {
      const id = `my-action-${version}`;
      const json = { ...TEMPEST_ACTION, action_id: id };
      expect((await server.request('POST', `${prefix}/actions`, { json, headers })).body).toEqual({ action_id: id });
      const conflict = { title: 'Document already existing', description: `Action already registered with ID ${id}` };
      const again = await server.request('POST', `${prefix}/actions`, { json, headers });
      expect(again.status).toBe(409);
      expect(again.body).toEqual(conflict);
      // Ids name one action in the whole service: another user cannot take it either, not even by replacing.
      const other = { 'X-User-Id': 'other' };
      expect((await server.request('POST', `${prefix}/actions`, { json, headers: other })).body).toEqual(conflict);
      const replaced = await server.request('POST', `${prefix}/actions/${id}`, { json, headers: other });
      expect(replaced.status).toBe(409);
      expect((await server.request('GET', `${prefix}/actions/${id}`, { headers })).body).toMatchObject({ version: 1 });
    });

    it.each([
      [{ max_retries: 1 }, 'body is missing required property "freezer_action"'],
      [{ freezer_action: { action: 'back up' } }, 'body field "freezer_action.action" must match pattern'],
      [{ freezer_action: {}, action_id: 'bad id' }, 'body field "action_id" must match pattern'],
      [{ freezer_action: {}, max_retries: 'three' }, 'body field "max_retries" must be integer'],
    ])('rejects %j with 400', async (json, description) => {
      const res = await server.request('POST', `${prefix}/actions`, { json, headers });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ description: startingWith(description) });
    });

    it('answers 404 to updating an action that does not exist', async () => {
      const res = await server.request('PATCH', `${prefix}/actions/nope`, { json: { max_retries: 1 }, headers });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ title: 'Not Found', description: 'No action found with ID nope' });
    });
  });
});
