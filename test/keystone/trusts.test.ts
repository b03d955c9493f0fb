// Keystone trusts for the central scheduler, against the real Keystone of test/keystone/start.sh:
// every trust is looked up in Keystone itself, and the scheduler's side uses real trust-scoped
// tokens of the server's service user (`freezer`, the trustee).
import { randomBytes } from 'node:crypto';
import { ENGINES } from '../helpers/engines';
import { serverFor } from '../helpers/http';
import { type TestKeystone, type TestUser, withKeystone } from '../helpers/keystone';

type Job = Record<string, unknown> & { job_id: string; user_credentials?: { trust_id: string; trustor_user_id: string } };
interface KeystoneTrust {
  id: string;
  trustor_user_id: string;
  trustee_user_id: string;
  project_id: string;
  impersonation: boolean;
  roles: { name: string }[];
}

const STEP = {
  freezer_action: { action: 'backup', mode: 'fs', backup_name: 'etc', path_to_backup: '/etc', container: 'c', storage: 'local' },
};
const BACKUP = { backup_name: 'etc', container: 'c', hostname: 'central' };
const unique = (name: string) => `${name}-${randomBytes(4).toString('hex')}`;

/** The trust as Keystone has it, or undefined when Keystone has none of that id. */
async function keystoneTrust(ks: TestKeystone, id: string): Promise<KeystoneTrust | undefined> {
  const res = await ks.admin('GET', `/OS-TRUST/trusts/${id}`);
  if (res.status === 404) return undefined;
  expect(res.status).toBe(200);
  return (res.body as { trust: KeystoneTrust }).trust;
}

/** The ids of the trusts a user is the trustor of, in Keystone. */
async function trustsOf(ks: TestKeystone, userId: string): Promise<string[]> {
  const res = await ks.admin('GET', `/OS-TRUST/trusts?trustor_user_id=${userId}`);
  expect(res.status).toBe(200);
  return (res.body as { trusts: KeystoneTrust[] }).trusts.map((t) => t.id).sort();
}

withKeystone('Keystone trusts', (ks) => {
  const p1 = ks.projects.p1;
  const headers = (token: string) => ({ 'X-Auth-Token': token });

  // A test that fails halfway leaves its jobs' trusts: alice's trusts are these tests' alone.
  afterAll(async () => {
    for (const id of await trustsOf(ks, ks.users.alice)) await ks.admin('DELETE', `/OS-TRUST/trusts/${id}`);
  });

  describe('with FREEZER_API_TRUSTS=always', () => {
    const server = serverFor(ENGINES[0]!, { auth: ks.auth({}, { mode: 'always' }) });
    const as = async (user: TestUser) => headers(await ks.token(user));

    /** A client alice registers in p1, and the job body that runs on it. */
    const aliceJob = async () => {
      const alice = await as('alice');
      const client_id = unique('node');
      expect(
        (await server.request('POST', `/v2/${p1}/clients`, { json: { client_id, hostname: 'n' }, headers: alice })).status,
      ).toBe(201);
      return { alice, body: { client_id, description: 'nightly', job_actions: [STEP], job_schedule: {} } };
    };
    const create = async (auth: Record<string, string>, body: object) => {
      const res = await server.request('POST', `/v2/${p1}/jobs`, { json: body, headers: auth });
      expect(res.status).toBe(201);
      return (res.body as { job_id: string }).job_id;
    };
    const get = async (auth: Record<string, string>, id: string) => {
      const res = await server.request('GET', `/v2/${p1}/jobs/${id}`, { headers: auth });
      expect(res.status).toBe(200);
      return res.body as Job;
    };

    it('gives a job a real trust from its creator to the service user, reused by the next, gone with the last', async () => {
      const { alice, body } = await aliceJob();
      const first = await create(alice, body);
      const job = await get(alice, first);
      const credentials = job.user_credentials!;
      expect(credentials).toEqual({ trust_id: expect.stringMatching(/^[0-9a-f]{32}$/), trustor_user_id: ks.users.alice });
      expect(await keystoneTrust(ks, credentials.trust_id)).toMatchObject({
        trustor_user_id: ks.users.alice,
        trustee_user_id: ks.users.freezer,
        project_id: p1,
        impersonation: false,
        roles: [expect.objectContaining({ name: 'member' })],
      });

      const second = await create(alice, body);
      expect((await get(alice, second)).user_credentials).toEqual(credentials);
      const listed = (await server.request('GET', `/v2/${p1}/jobs`, { headers: alice })).body as { jobs: Job[] };
      expect(listed.jobs.filter((j) => j.client_id === body.client_id).map((j) => j.user_credentials)).toEqual([
        credentials,
        credentials,
      ]);

      expect((await server.request('DELETE', `/v2/${p1}/jobs/${first}`, { headers: alice })).status).toBe(204);
      expect(await keystoneTrust(ks, credentials.trust_id)).toBeDefined();
      expect((await server.request('DELETE', `/v2/${p1}/jobs/${second}`, { headers: alice })).status).toBe(204);
      expect(await keystoneTrust(ks, credentials.trust_id)).toBeUndefined();
    });

    it("never takes user_credentials from a body: a clone gets the server's trust, a replace keeps the job's", async () => {
      const { alice, body } = await aliceJob();
      const id = await create(alice, body);
      const original = await get(alice, id);
      const { job_id: _id, ...read } = original;
      const clone = await create(alice, { ...read, user_credentials: { trust_id: 'forged', trustor_user_id: ks.users.bob } });
      expect((await get(alice, clone)).user_credentials).toEqual(original.user_credentials);

      const replaced = await server.request('POST', `/v2/${p1}/jobs/${id}`, {
        json: { ...body, description: 'replaced', user_credentials: { trust_id: 'forged', trustor_user_id: 'x' } },
        headers: alice,
      });
      expect(replaced.status).toBe(201);
      expect(await get(alice, id)).toMatchObject({ description: 'replaced', user_credentials: original.user_credentials });
      // A replace under a new id makes no trust.
      expect((await server.request('POST', `/v2/${p1}/jobs/${unique('job')}`, { json: body, headers: alice })).status).toBe(201);

      for (const job of [id, clone]) await server.request('DELETE', `/v2/${p1}/jobs/${job}`, { headers: alice });
      expect(await keystoneTrust(ks, original.user_credentials!.trust_id)).toBeUndefined();
    });

    it('makes no trust for v1 jobs', async () => {
      const { alice, body } = await aliceJob();
      const res = await server.request('POST', '/v1/jobs', { json: body, headers: alice });
      expect(res.status).toBe(201);
      const { job_id } = res.body as { job_id: string };
      expect((await server.request('GET', `/v1/jobs/${job_id}`, { headers: alice })).body).not.toHaveProperty('user_credentials');
    });

    it('leaves no trust behind when the job cannot be stored', async () => {
      const { alice, body } = await aliceJob();
      const before = await trustsOf(ks, ks.users.alice);
      const unsupported = {
        ...body,
        job_actions: [{ freezer_action: { ...STEP.freezer_action, engine_name: 'no-such-engine' } }],
      };
      const res = await server.request('POST', `/v2/${p1}/jobs`, { json: unsupported, headers: alice });
      expect(res.status).toBe(422);
      expect(await trustsOf(ks, ks.users.alice)).toEqual(before);
    });

    it("takes a real trust-scoped token as the trust's project with the delegated roles only", async () => {
      const { alice, body } = await aliceJob();
      const id = await create(alice, body);
      const { trust_id } = (await get(alice, id)).user_credentials!;
      const trusted = headers(await ks.trustToken('freezer', trust_id));
      const uploaded = await server.request('POST', `/v2/${p1}/backups`, { headers: trusted, json: { ...BACKUP, job_id: id } });
      expect(uploaded.status).toBe(201);
      const { backup_id } = uploaded.body as { backup_id: string };
      const shown = await server.request('GET', `/v2/${p1}/backups/${backup_id}`, { headers: trusted });
      expect(shown.body).toMatchObject({ project_id: p1, user_id: ks.users.freezer, user_name: 'freezer' });
      // v1 requests belong to the token's project: the trust's.
      expect((await server.request('GET', `/v1/backups/${backup_id}`, { headers: trusted })).status).toBe(200);
      // Not the service user's own roles (admin among them): the delegated ones, in p1 only.
      expect((await server.request('GET', `/v2/${ks.projects.p2}/backups`, { headers: trusted })).status).toBe(403);
      await server.request('DELETE', `/v2/${p1}/jobs/${id}`, { headers: alice });
    });

    it('lets the service user act for the trustor with a real trust-scoped token: list, PATCH, upload', async () => {
      const { alice, body } = await aliceJob();
      const id = await create(alice, body);
      const { trust_id } = (await get(alice, id)).user_credentials!;
      const trusted = headers(await ks.trustToken('freezer', trust_id));

      // The scheduler's poll: the trust's project, even though the token request named none.
      const polled = await server.request('GET', `/v2/${p1}/jobs?limit=10&offset=0&all_projects=True`, {
        headers: trusted,
        json: { match_not: [{ status: 'completed' }], match: [{ client_id: body.client_id }] },
      });
      expect(polled.status).toBe(200);
      expect((polled.body as { jobs: Job[] }).jobs.map((j) => j.job_id)).toEqual([id]);

      const patched = await server.request('PATCH', `/v2/${p1}/jobs/${id}`, {
        headers: trusted,
        json: { job_schedule: { status: 'running', event: '' }, session_id: '', session_tag: 0 },
      });
      expect(patched.status).toBe(200);
      expect((await get(alice, id)).job_schedule).toMatchObject({ status: 'running' });

      const uploaded = await server.request('POST', `/v2/${p1}/backups`, { headers: trusted, json: { ...BACKUP, job_id: id } });
      expect(uploaded.status).toBe(201);
      const { backup_id } = uploaded.body as { backup_id: string };
      const seen = await server.request('GET', `/v2/${p1}/backups/${backup_id}`, { headers: alice });
      expect(seen.status).toBe(200);
      expect(seen.body).toMatchObject({ project_id: p1, user_id: ks.users.freezer });

      await server.request('DELETE', `/v2/${p1}/jobs/${id}`, { headers: alice });
    });

    it('deletes the trust with the service user when another user of the project deletes the last job', async () => {
      const { alice, body } = await aliceJob();
      const id = await create(alice, body);
      const { trust_id } = (await get(alice, id)).user_credentials!;
      // The admin is not the trustor: Keystone lets only the trustor or an admin delete a trust.
      const admin = await as('admin');
      expect((await server.request('DELETE', `/v2/${p1}/jobs/${id}`, { headers: admin })).status).toBe(204);
      expect((await server.request('GET', `/v2/${p1}/jobs/${id}`, { headers: alice })).status).toBe(404);
      expect(await keystoneTrust(ks, trust_id)).toBeUndefined();
    });
  });

  describe('422 Missing required credentials', () => {
    // alice is no admin in p1: Keystone will not let her delegate the role.
    const server = serverFor(ENGINES[0]!, { auth: ks.auth({}, { mode: 'always', roles: ['admin'] }) });

    it('when Keystone will not make the trust, and nothing is stored', async () => {
      const alice = headers(await ks.token('alice'));
      const client_id = unique('node');
      await server.request('POST', `/v2/${p1}/clients`, { json: { client_id, hostname: 'n' }, headers: alice });
      const before = await trustsOf(ks, ks.users.alice);
      const res = await server.request('POST', `/v2/${p1}/jobs`, { json: { client_id, job_actions: [STEP] }, headers: alice });
      expect(res.status).toBe(422);
      expect(res.body).toEqual({
        title: 'Missing required credentials',
        description: expect.stringContaining(
          `Keystone made no trust delegating the roles admin in project ${p1} to the service user`,
        ),
      });
      expect(((await server.request('GET', `/v2/${p1}/jobs`, { headers: alice })).body as { jobs: unknown[] }).jobs).toEqual([]);
      expect(await trustsOf(ks, ks.users.alice)).toEqual(before);
    });

    it('when the caller itself holds a trust-scoped token (Keystone lets no trust be made with one)', async () => {
      // A trust of alice's for freezer, made directly in Keystone, and a job on it through the server.
      const direct = await fetch(`${ks.url}/OS-TRUST/trusts`, {
        method: 'POST',
        headers: { 'X-Auth-Token': await ks.token('alice'), 'Content-Type': 'application/json' },
        body: JSON.stringify({
          trust: {
            trustor_user_id: ks.users.alice,
            trustee_user_id: ks.users.freezer,
            project_id: p1,
            impersonation: false,
            roles: [{ name: 'member' }],
          },
        }),
      });
      expect(direct.status).toBe(201);
      const { trust } = (await direct.json()) as { trust: KeystoneTrust };
      try {
        const trusted = headers(await ks.trustToken('freezer', trust.id));
        const client_id = unique('node');
        await server.request('POST', `/v2/${p1}/clients`, { json: { client_id, hostname: 'n' }, headers: trusted });
        const res = await server.request('POST', `/v2/${p1}/jobs`, {
          json: { client_id, job_actions: [STEP] },
          headers: trusted,
        });
        expect(res.status).toBe(422);
        expect(res.body).toMatchObject({ title: 'Missing required credentials' });
      } finally {
        expect((await ks.admin('DELETE', `/OS-TRUST/trusts/${trust.id}`)).status).toBe(204);
      }
    });
  });

  describe('with FREEZER_API_TRUSTS=off', () => {
    const server = serverFor(ENGINES[0]!, { auth: ks.auth({}, { mode: 'off' }) });

    it('makes no trusts', async () => {
      const alice = headers(await ks.token('alice'));
      const client_id = unique('node');
      await server.request('POST', `/v2/${p1}/clients`, { json: { client_id, hostname: 'n' }, headers: alice });
      const before = await trustsOf(ks, ks.users.alice);
      const res = await server.request('POST', `/v2/${p1}/jobs`, { json: { client_id, job_actions: [STEP] }, headers: alice });
      expect(res.status).toBe(201);
      const { job_id } = res.body as { job_id: string };
      expect((await server.request('GET', `/v2/${p1}/jobs/${job_id}`, { headers: alice })).body).not.toHaveProperty(
        'user_credentials',
      );
      expect(await trustsOf(ks, ks.users.alice)).toEqual(before);
    });
  });

  // The central scheduler as upstream's tempest plugin and freezer-scheduler run it (default: central).
  describe('with FREEZER_API_TRUSTS=central (the default)', () => {
    const server = serverFor(ENGINES[0]!, { auth: ks.auth() });

    it("gives jobs on a central client a trust and no others; the scheduler runs them in the trustor's project", async () => {
      const admin = headers(await ks.token('admin'));
      const alice = headers(await ks.token('alice'));
      const central = unique('central');
      const registered = await server.request('POST', `/v2/${ks.projects.service}/clients`, {
        headers: admin,
        json: { client_id: central, hostname: 'scheduler', is_central: true },
      });
      expect(registered.status).toBe(201);
      const own = unique('node');
      await server.request('POST', `/v2/${p1}/clients`, { json: { client_id: own, hostname: 'n' }, headers: alice });

      const post = async (client_id: string) => {
        const res = await server.request('POST', `/v2/${p1}/jobs`, { json: { client_id, job_actions: [STEP] }, headers: alice });
        expect(res.status).toBe(201);
        const { job_id } = res.body as { job_id: string };
        return (await server.request('GET', `/v2/${p1}/jobs/${job_id}`, { headers: alice })).body as Job;
      };
      const [first, second, local] = [await post(central), await post(central), await post(own)];
      expect(local).not.toHaveProperty('user_credentials');
      const { trust_id } = first.user_credentials!;
      expect(second.user_credentials).toEqual(first.user_credentials);
      expect(await keystoneTrust(ks, trust_id)).toMatchObject({ trustor_user_id: ks.users.alice, project_id: p1 });

      // The scheduler's own poll, as the service user, across projects.
      const service = headers(await ks.token('freezer'));
      const poll = { match_not: [{ status: 'completed' }], match: [{ client_id: central }] };
      const polled = await server.request('GET', `/v2/${ks.projects.service}/jobs?limit=10&offset=0&all_projects=True`, {
        headers: service,
        json: poll,
      });
      expect(polled.status).toBe(200);
      expect((polled.body as { jobs: Job[] }).jobs.map((j) => [j.job_id, j.project_id, j.user_credentials])).toEqual([
        [first.job_id, p1, first.user_credentials],
        [second.job_id, p1, first.user_credentials],
      ]);

      // Then, per job, with the trust.
      const trusted = headers(await ks.trustToken('freezer', trust_id));
      const listed = await server.request('GET', `/v2/${p1}/jobs?limit=10&offset=0&all_projects=True`, {
        headers: trusted,
        json: poll,
      });
      expect((listed.body as { jobs: Job[] }).jobs.map((j) => j.job_id)).toEqual([first.job_id, second.job_id]);
      const patched = await server.request('PATCH', `/v2/${p1}/jobs/${first.job_id}`, {
        headers: trusted,
        json: { job_schedule: { status: 'running', event: '' }, session_id: '', session_tag: 0 },
      });
      expect(patched.status).toBe(200);
      const uploaded = await server.request('POST', `/v2/${p1}/backups`, {
        headers: trusted,
        json: { ...BACKUP, job_id: first.job_id },
      });
      expect(uploaded.status).toBe(201);
      const { backup_id } = uploaded.body as { backup_id: string };
      const seen = await server.request('GET', `/v2/${p1}/backups`, {
        headers: alice,
        json: { match: [{ job_id: first.job_id }] },
      });
      expect((seen.body as { backups: { backup_id: string }[] }).backups.map((b) => b.backup_id)).toEqual([backup_id]);

      for (const job of [first, second]) await server.request('DELETE', `/v2/${p1}/jobs/${job.job_id}`, { headers: alice });
      expect(await keystoneTrust(ks, trust_id)).toBeUndefined();
    });
  });
});
