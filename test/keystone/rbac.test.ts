// Secure-RBAC defaults (upstream's policy) from real tokens of the Keystone of
// test/keystone/start.sh: carol reads p1 but cannot write; alice writes in p1 only; bob, of p2,
// gets 403 on p1; admin may do anything anywhere; dave (only `service`) reads anything and writes
// backups anywhere, but no jobs or clients.
import { randomBytes } from 'node:crypto';
import { ENGINES } from '../helpers/engines';
import { checkEach } from '../helpers/failures';
import { serverFor } from '../helpers/http';
import { type TestUser, withKeystone } from '../helpers/keystone';

const BACKUP = { backup_name: 'b', container: 'c', hostname: 'h' };
const STEP = { freezer_action: { action: 'backup', mode: 'fs', backup_name: 'b', path_to_backup: '/etc', container: 'c' } };
const unique = (name: string) => `${name}-${randomBytes(4).toString('hex')}`;

withKeystone('RBAC on real Keystone tokens', (ks) => {
  const server = serverFor(ENGINES[0]!, { auth: ks.auth({}, { mode: 'off' }) });
  const p1 = ks.projects.p1;
  const tokens = new Map<TestUser, Promise<string>>();
  const as = async (user: TestUser) => {
    if (!tokens.has(user)) tokens.set(user, ks.token(user));
    return { 'X-Auth-Token': await tokens.get(user)! };
  };
  let client: string;
  beforeAll(async () => {
    client = unique('node');
    const res = await server.request('POST', `/v2/${p1}/clients`, {
      json: { client_id: client, hostname: 'n' },
      headers: await as('alice'),
    });
    expect(res.status).toBe(201);
  });

  type Case = { user: TestUser; method: 'GET' | 'POST'; path: string; json?: object; status: number };
  const cases = (): Case[] => [
    // reads: admin_or_reader_or_service
    ...(['alice', 'carol', 'admin', 'dave'] as const).flatMap((user) =>
      ['backups', 'clients', 'jobs', 'actions', 'sessions'].map((kind) => ({
        user,
        method: 'GET' as const,
        path: `/v2/${p1}/${kind}`,
        status: 200,
      })),
    ),
    ...['backups', 'clients', 'jobs', 'actions', 'sessions'].map((kind) => ({
      user: 'bob' as const,
      method: 'GET' as const,
      path: `/v2/${p1}/${kind}`,
      status: 403,
    })),
    // backups: admin_or_owner_or_service
    { user: 'alice', method: 'POST', path: `/v2/${p1}/backups`, json: BACKUP, status: 201 },
    { user: 'dave', method: 'POST', path: `/v2/${p1}/backups`, json: BACKUP, status: 201 },
    { user: 'admin', method: 'POST', path: `/v2/${p1}/backups`, json: BACKUP, status: 201 },
    { user: 'carol', method: 'POST', path: `/v2/${p1}/backups`, json: BACKUP, status: 403 },
    { user: 'bob', method: 'POST', path: `/v2/${p1}/backups`, json: BACKUP, status: 403 },
    { user: 'alice', method: 'POST', path: `/v2/${ks.projects.p2}/backups`, json: BACKUP, status: 403 },
    // jobs, actions, sessions, clients: admin_or_owner
    { user: 'alice', method: 'POST', path: `/v2/${p1}/actions`, json: STEP, status: 201 },
    { user: 'carol', method: 'POST', path: `/v2/${p1}/actions`, json: STEP, status: 403 },
    { user: 'dave', method: 'POST', path: `/v2/${p1}/actions`, json: STEP, status: 403 },
    { user: 'carol', method: 'POST', path: `/v2/${p1}/sessions`, json: { description: 's', schedule: {} }, status: 403 },
    { user: 'carol', method: 'POST', path: `/v2/${p1}/clients`, json: { client_id: unique('c'), hostname: 'h' }, status: 403 },
    { user: 'dave', method: 'POST', path: `/v2/${p1}/clients`, json: { client_id: unique('c'), hostname: 'h' }, status: 403 },
    { user: 'carol', method: 'POST', path: `/v2/${p1}/jobs`, json: { client_id: client, job_actions: [STEP] }, status: 403 },
    { user: 'dave', method: 'POST', path: `/v2/${p1}/jobs`, json: { client_id: client, job_actions: [STEP] }, status: 403 },
    { user: 'alice', method: 'POST', path: `/v2/${p1}/jobs`, json: { client_id: client, job_actions: [STEP] }, status: 201 },
    // clients:create_central: admin_or_service
    {
      user: 'alice',
      method: 'POST',
      path: `/v2/${p1}/clients`,
      json: { client_id: unique('c'), hostname: 'h', is_central: true },
      status: 403,
    },
    {
      user: 'admin',
      method: 'POST',
      path: `/v2/${p1}/clients`,
      json: { client_id: unique('c'), hostname: 'h', is_central: true },
      status: 201,
    },
  ];

  it('answers each role as the defaults say', async () => {
    await checkEach(
      cases(),
      async ({ user, method, path, json, status }) => {
        const res = await server.request(method, path, { headers: await as(user), ...(json ? { json } : {}) });
        expect(res.status).toBe(status);
      },
      ({ user, method, path, status }) => `${user}: ${method} ${path} → ${status}`,
    );
  });

  it('lets a reader read what a member wrote, but not change or delete it', async () => {
    const alice = await as('alice');
    const carol = await as('carol');
    const created = await server.request('POST', `/v2/${p1}/jobs`, {
      json: { client_id: client, job_actions: [STEP] },
      headers: alice,
    });
    const { job_id } = created.body as { job_id: string };
    expect((await server.request('GET', `/v2/${p1}/jobs/${job_id}`, { headers: carol })).status).toBe(200);
    expect(
      (await server.request('PATCH', `/v2/${p1}/jobs/${job_id}`, { json: { description: 'x' }, headers: carol })).status,
    ).toBe(403);
    expect(
      (await server.request('POST', `/v2/${p1}/jobs/${job_id}/event`, { json: { start: null }, headers: carol })).status,
    ).toBe(403);
    expect((await server.request('DELETE', `/v2/${p1}/jobs/${job_id}`, { headers: carol })).status).toBe(403);
    expect((await server.request('GET', `/v2/${p1}/jobs/${job_id}`, { headers: alice })).status).toBe(200);
  });

  it('widens job lists with all_projects for admin and service only', async () => {
    const alice = await as('alice');
    const created = await server.request('POST', `/v2/${p1}/jobs`, {
      json: { client_id: client, job_actions: [STEP] },
      headers: alice,
    });
    const { job_id } = created.body as { job_id: string };
    const listed = async (user: TestUser, project: string) => {
      const res = await server.request('GET', `/v2/${project}/jobs?all_projects=True&limit=1000`, { headers: await as(user) });
      expect(res.status).toBe(200);
      return (res.body as { jobs: { job_id: string }[] }).jobs.map((j) => j.job_id);
    };
    expect(await listed('admin', ks.projects.p2)).toContain(job_id);
    expect(await listed('dave', ks.projects.service)).toContain(job_id);
    expect(await listed('bob', ks.projects.p2)).not.toContain(job_id);
  });
});
