// Backups over HTTP, v1 and v2, on every engine.
import { engineRows } from '../helpers/engines';
import { serverFor, VERSIONS } from '../helpers/http';
import { SEED_BACKUP } from '../helpers/fixtures';

/** What freezer-scheduler uploads after an agent run (see the original's tempest tests). */
const AGENT_BACKUP = {
  backup_name: 'b1',
  container: 'c1',
  hostname: 'node1',
  time_stamp: 1700000000,
  curr_backup_level: 0,
  job_id: 'job-1',
  dry_run: false,
  always_level: null,
  max_level: '',
  nested: { list: [1, 'two', { three: true }] },
};

describe.each(engineRows)('backups on %s', (_name, engine) => {
  // Bound to the user in both versions (FREEZER_API_SCOPE=user, the 13.x–18.x rule), so that each
  // test's user sees only its own; test/http/project-scope.test.ts covers the default.
  const server = serverFor(engine, { scope: 'user' });

  describe.each(VERSIONS)('%s', (version, prefix) => {
    const alice = { 'X-User-Id': `alice-${version}` };

    it('creates, shows, lists and deletes the seed document unchanged', async () => {
      const created = await server.request('POST', `${prefix}/backups`, { json: SEED_BACKUP, headers: alice });
      expect(created.status).toBe(201);
      const { backup_id } = created.body as { backup_id: string };
      expect(backup_id).toMatch(/^[0-9a-f]{32}$/);

      const shown = await server.request('GET', `${prefix}/backups/${backup_id}`, { headers: alice });
      expect(shown.status).toBe(200);
      // v2 as current upstream (a status, no user_name); v1 as the original document.
      expect(shown.body).toEqual(
        version === 'v2'
          ? { backup_id, user_id: 'alice-v2', project_id: 'proj-a', status: 'available', backup_metadata: SEED_BACKUP }
          : { backup_id, user_id: 'alice-v1', user_name: null, project_id: null, backup_metadata: SEED_BACKUP },
      );

      const listed = await server.request('GET', `${prefix}/backups`, { headers: alice });
      expect(listed.body).toEqual({ backups: [shown.body] });

      const deleted = await server.request('DELETE', `${prefix}/backups/${backup_id}`, { headers: alice });
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      const gone = await server.request('GET', `${prefix}/backups/${backup_id}`, { headers: alice });
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual({ title: 'Not Found', description: `No backup found with ID ${backup_id}` });
    });

    it('keeps nested values, booleans and nulls exactly as posted, and records X-User-Name (shown by v1)', async () => {
      const headers = { ...alice, 'X-User-Name': 'Alice Liddell' };
      const created = await server.request('POST', `${prefix}/backups/`, { json: AGENT_BACKUP, headers });
      const { backup_id } = created.body as { backup_id: string };
      const shown = await server.request('GET', `${prefix}/backups/${backup_id}`, { headers: alice });
      expect(shown.body).toMatchObject({ backup_metadata: AGENT_BACKUP });
      if (version === 'v1') expect(shown.body).toMatchObject({ user_name: 'Alice Liddell' });
      else expect(shown.body).not.toHaveProperty('user_name');
      await server.request('DELETE', `${prefix}/backups/${backup_id}`, { headers: alice });
    });

    it('keeps levels as the agent sent them: numbers, text or empty', async () => {
      const levels = { level: 1, curr_backup_level: '1', max_level: '4', always_level: '' };
      const created = await server.request('POST', `${prefix}/backups`, { json: { ...AGENT_BACKUP, ...levels }, headers: alice });
      expect(created.status).toBe(201);
      const { backup_id } = created.body as { backup_id: string };
      const shown = await server.request('GET', `${prefix}/backups/${backup_id}`, { headers: alice });
      expect((shown.body as { backup_metadata: object }).backup_metadata).toMatchObject(levels);
      await server.request('DELETE', `${prefix}/backups/${backup_id}`, { headers: alice });
    });

    it('pages oldest first with limit and offset, consistently', async () => {
      const user = { 'X-User-Id': `pager-${version}` };
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        const res = await server.request('POST', `${prefix}/backups`, {
          json: { ...AGENT_BACKUP, backup_name: `b${i}` },
          headers: user,
        });
        ids.push((res.body as { backup_id: string }).backup_id);
      }
      const page = async (query: string) => {
        const res = await server.request('GET', `${prefix}/backups/${query}`, { headers: user });
        expect(res.status).toBe(200);
        return (res.body as { backups: { backup_id: string }[] }).backups.map((b) => b.backup_id);
      };
      expect(await page('')).toEqual(ids);
      expect(await page('?limit=5')).toEqual(ids.slice(0, 5));
      expect(await page('?limit=3&offset=5')).toEqual(ids.slice(5));
      expect(await page('?offset=8')).toEqual([]);
      expect(await page('?offset=10')).toEqual([]);
      expect(await page('?limit=1000&offset=7')).toEqual(ids.slice(7));
    });

    it('shows nothing of another user and deletes nothing of theirs', async () => {
      const created = await server.request('POST', `${prefix}/backups`, { json: AGENT_BACKUP, headers: alice });
      const { backup_id } = created.body as { backup_id: string };
      const mallory = { 'X-User-Id': 'mallory' };

      expect((await server.request('GET', `${prefix}/backups/${backup_id}`, { headers: mallory })).status).toBe(404);
      expect((await server.request('GET', `${prefix}/backups`, { headers: mallory })).body).toEqual({ backups: [] });
      const del = await server.request('DELETE', `${prefix}/backups/${backup_id}`, { headers: mallory });
      expect(del.status).toBe(version === 'v2' ? 204 : 404);
      expect((await server.request('GET', `${prefix}/backups/${backup_id}`, { headers: alice })).status).toBe(200);
      await server.request('DELETE', `${prefix}/backups/${backup_id}`, { headers: alice });
    });

    it('uses the configured default user when X-User-Id is absent', async () => {
      const created = await server.request('POST', `${prefix}/backups`, { json: AGENT_BACKUP });
      const { backup_id } = created.body as { backup_id: string };
      const shown = await server.request('GET', `${prefix}/backups/${backup_id}`);
      expect(shown.body).toMatchObject({ user_id: 'default-user' });
      expect((await server.request('GET', `${prefix}/backups/${backup_id}`, { headers: alice })).status).toBe(404);
    });

    it.each([
      ['no body', undefined, 'Missing request body'],
      ['an empty object', {}, 'body is missing required property "backup_name"'],
      ['no container', { backup_name: 'b', hostname: 'h' }, 'body is missing required property "container"'],
      [
        'an empty backup_name',
        { backup_name: '', container: 'c', hostname: 'h' },
        'body field "backup_name" must NOT have fewer than 1 characters',
      ],
      ['no host name at all', { backup_name: 'b', container: 'c' }, "backup metadata must have 'hostname' (or 'host_name')"],
      ['a JSON array', [1, 2], 'body must be object'],
      ['a wrongly typed job_id', { ...AGENT_BACKUP, job_id: 42 }, 'body field "job_id" must be string'],
      ['a time stamp as text', { ...AGENT_BACKUP, time_stamp: 'yesterday' }, 'body field "time_stamp" must be integer'],
      ['a level as a list', { ...AGENT_BACKUP, max_level: [4] }, 'body field "max_level" must be integer, string or null'],
    ])('rejects %s with 400 and writes nothing', async (_case, json, description) => {
      const user = { 'X-User-Id': `bad-input-${version}` };
      const res = await server.request('POST', `${prefix}/backups`, {
        json,
        headers: { ...user, 'Content-Type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ title: 'Bad Request', description });
      expect((await server.request('GET', `${prefix}/backups`, { headers: user })).body).toEqual({ backups: [] });
    });

    it.each([
      ['limit=0', 'query parameter "limit" must be >= 1'],
      ['limit=1001', 'query parameter "limit" must be <= 1000'],
      ['limit=-5', 'query parameter "limit" must be >= 1'],
      ['limit=abc', 'query parameter "limit" must be integer'],
      ['offset=-1', 'query parameter "offset" must be >= 0'],
      ['offset=1.5', 'query parameter "offset" must be integer'],
      ['limit=5&limit=6', 'query parameter "limit" must be integer'],
      ['colour=red', 'unknown query parameter "colour"'],
    ])('rejects ?%s with a 400 naming the parameter', async (query, description) => {
      const res = await server.request('GET', `${prefix}/backups?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ title: 'Bad Request', description });
    });

    it('answers 404 with a JSON error for an id nobody has', async () => {
      const res = await server.request('GET', `${prefix}/backups/nonexistent`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ title: 'Not Found', description: 'No backup found with ID nonexistent' });
    });
  });

  it('v2 keeps projects apart and v1 (without a project) apart from both', async () => {
    const user = { 'X-User-Id': 'multi' };
    const created = await server.request('POST', '/v2/proj-a/backups', { json: AGENT_BACKUP, headers: user });
    const { backup_id } = created.body as { backup_id: string };
    expect((await server.request('GET', `/v2/proj-b/backups/${backup_id}`, { headers: user })).status).toBe(404);
    expect((await server.request('GET', `/v1/backups/${backup_id}`, { headers: user })).status).toBe(404);
    // v1 with the project named in X-Project-Id sees the project's backups.
    const v1 = await server.request('GET', `/v1/backups/${backup_id}`, { headers: { ...user, 'X-Project-Id': 'proj-a' } });
    expect(v1.status).toBe(200);
    await server.request('DELETE', `/v2/proj-b/backups/${backup_id}`, { headers: user });
    expect((await server.request('GET', `/v2/proj-a/backups/${backup_id}`, { headers: user })).status).toBe(200);
  });

  it('rejects a malformed project id in the URL and overlong identity headers', async () => {
    const bad = await server.request('GET', '/v2/bad%20project/backups');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      title: 'Bad Request',
      description: 'path parameter "project_id" must match pattern "^[A-Za-z0-9_.-]+$"',
    });
    const longUser = await server.request('GET', '/v1/backups', { headers: { 'X-User-Id': 'u'.repeat(65) } });
    expect(longUser.status).toBe(400);
    expect(longUser.body).toEqual({ title: 'Bad Request', description: 'header X-User-Id must be at most 64 characters' });
    const badProject = await server.request('GET', '/v1/backups', { headers: { 'X-Project-Id': 'a b' } });
    expect(badProject.status).toBe(400);
  });
});
