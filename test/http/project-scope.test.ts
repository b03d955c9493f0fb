// The default scope over HTTP on every engine: v2 resources belong to the project (any of its
// users reads and writes them all; `user_id` is the last writer), ids are unique across the
// whole service, central clients serve every project, backups have a status and a PATCH, and
// admins and services read every project's jobs. Then the same flows with FREEZER_API_SCOPE=user,
// where each user sees only their own.
import { engineRows } from '../helpers/engines';
import { serverFor, type TestServer } from '../helpers/http';
import type { Exchange } from '../helpers/spec';
import { SEED_BACKUP } from '../helpers/fixtures';

type Doc = Record<string, unknown>;
type Headers = Record<string, string>;

const STEP = { freezer_action: { action: 'backup', mode: 'fs' } };
const DENIED = { title: 'Access Forbidden', description: 'You are not allowed to access this resource' };

/** A member of the URL's project (noauth: no X-Project-Id, so the credentials are the URL's project's). */
const user = (id: string): Headers => ({ 'X-User-Id': id });
const ADMIN: Headers = { 'X-User-Id': 'the-admin', 'X-Roles': 'admin', 'X-Project-Id': 'admins-project' };
const SERVICE: Headers = { 'X-User-Id': 'the-service', 'X-Roles': 'service', 'X-Project-Id': 'service-project' };
/** An admin of the URL's own project, to register central clients there. */
const projectAdmin = (id: string): Headers => ({ 'X-User-Id': id, 'X-Roles': 'admin' });

/** Requests that fail with the response in the message when the status is not the one expected. */
function callsOn(server: TestServer) {
  return async function call(method: string, path: string, headers: Headers, json?: unknown, status?: number): Promise<Exchange> {
    const res = await server.request(method, path, { headers, json });
    if (status !== undefined && res.status !== status) {
      throw new Error(`${method} ${path}: expected ${status}, got ${res.status} ${res.text}`);
    }
    return res;
  };
}

/** One kind of v2 resource, as the project-wide flows use it. */
interface Kind {
  kind: 'jobs' | 'actions' | 'sessions' | 'backups';
  idKey: string;
  /** The body that creates one, with the field `search` finds it by. */
  body: Doc;
  search: Doc;
  patch: Doc;
  /** Where the patched value shows in the resource read back. */
  patched: (resource: Doc) => unknown;
  patchedValue: unknown;
}

const KINDS: Kind[] = [
  {
    kind: 'jobs',
    idKey: 'job_id',
    body: { client_id: 'node1', job_actions: [STEP], description: 'first' },
    search: { match: [{ description: 'first' }] },
    patch: { description: 'second' },
    patched: (r) => r.description,
    patchedValue: 'second',
  },
  {
    kind: 'actions',
    idKey: 'action_id',
    body: { freezer_action: { action: 'backup', mode: 'fs', backup_name: 'first' }, max_retries: 1 },
    search: { match: [{ backup_name: 'first' }] },
    patch: { max_retries: 7 },
    patched: (r) => r.max_retries,
    patchedValue: 7,
  },
  {
    kind: 'sessions',
    idKey: 'session_id',
    body: { description: 'first', schedule: { schedule_interval: '1 days' }, hold_off: 60 },
    search: { match: [{ description: 'first' }] },
    patch: { description: 'second' },
    patched: (r) => r.description,
    patchedValue: 'second',
  },
  {
    kind: 'backups',
    idKey: 'backup_id',
    body: { ...SEED_BACKUP, backup_name: 'first' },
    search: { match: [{ backup_name: 'first' }] },
    patch: { backup_metadata: { backup_name: 'second' } },
    patched: (r) => (r.backup_metadata as Doc).backup_name,
    patchedValue: 'second',
  },
];

/** Creates one resource of the kind in the project (jobs get their client first); its id. */
async function createOne(call: ReturnType<typeof callsOn>, project: string, kind: Kind, headers: Headers): Promise<string> {
  const prefix = `/v2/${project}`;
  if (kind.kind === 'jobs') await call('POST', `${prefix}/clients`, headers, { client_id: 'node1' }, 201);
  const created = await call('POST', `${prefix}/${kind.kind}`, headers, kind.body, 201);
  return (created.body as Doc)[kind.idKey] as string;
}

const idsOf = (res: Exchange, list: string, idKey: string) =>
  ((res.body as Record<string, Doc[]>)[list] ?? []).map((r) => r[idKey]);

describe.each(engineRows)('project scope on %s', (_name, engine) => {
  describe('the project scope (the default)', () => {
    const server = serverFor(engine);
    const call = callsOn(server);

    describe.each(KINDS.map((k) => [k.kind, k] as const))('%s', (_kind, kind) => {
      const project = `proj-every-${kind.kind}`;
      const prefix = `/v2/${project}`;
      const alice = user('alice');
      const bob = user('bob');

      it("any user of the project gets, lists, searches, updates and deletes another user's, shown as its last writer's", async () => {
        const id = await createOne(call, project, kind, alice);

        const shown = (await call('GET', `${prefix}/${kind.kind}/${id}`, bob, undefined, 200)).body as Doc;
        expect(shown).toMatchObject({ [kind.idKey]: id, user_id: 'alice', project_id: project });
        expect(idsOf(await call('GET', `${prefix}/${kind.kind}`, bob, undefined, 200), kind.kind, kind.idKey)).toEqual([id]);
        expect(idsOf(await call('GET', `${prefix}/${kind.kind}`, bob, kind.search, 200), kind.kind, kind.idKey)).toEqual([id]);
        expect(
          idsOf(
            await call('GET', `${prefix}/${kind.kind}`, bob, { match: [{ [kind.idKey]: 'nothing' }] }, 200),
            kind.kind,
            kind.idKey,
          ),
        ).toEqual([]);

        await call('PATCH', `${prefix}/${kind.kind}/${id}`, bob, kind.patch, 200);
        const updated = (await call('GET', `${prefix}/${kind.kind}/${id}`, alice, undefined, 200)).body as Doc;
        expect(updated.user_id).toBe('bob');
        expect(kind.patched(updated)).toEqual(kind.patchedValue);

        await call('DELETE', `${prefix}/${kind.kind}/${id}`, bob, undefined, 204);
        await call('GET', `${prefix}/${kind.kind}/${id}`, alice, undefined, 404);
      });

      it("another project sees nothing of the project's", async () => {
        const id = await createOne(call, `${project}-own`, kind, alice);
        const other = `/v2/${project}-other`;
        await call('GET', `${other}/${kind.kind}/${id}`, alice, undefined, 404);
        expect(idsOf(await call('GET', `${other}/${kind.kind}`, alice, undefined, 200), kind.kind, kind.idKey)).toEqual([]);
        await call('PATCH', `${other}/${kind.kind}/${id}`, alice, kind.patch, 404);
        // v2 answers a DELETE of what the caller does not see as done (as upstream); nothing is deleted.
        await call('DELETE', `${other}/${kind.kind}/${id}`, alice, undefined, 204);
        await call('GET', `/v2/${project}-own/${kind.kind}/${id}`, alice, undefined, 200);
      });
    });

    it('v1 stays bound to the user: another user of the same project sees nothing', async () => {
      const alice = { ...user('alice'), 'X-Project-Id': 'proj-v1' };
      const bob = { ...user('bob'), 'X-Project-Id': 'proj-v1' };
      await call('POST', '/v1/clients', alice, { client_id: 'node1' }, 201);
      const { job_id } = (await call('POST', '/v1/jobs', alice, { client_id: 'node1', job_actions: [STEP] }, 201)).body as Doc;
      await call('GET', `/v1/jobs/${String(job_id)}`, alice, undefined, 200);
      await call('GET', `/v1/jobs/${String(job_id)}`, bob, undefined, 404);
      expect(idsOf(await call('GET', '/v1/jobs', bob, undefined, 200), 'jobs', 'job_id')).toEqual([]);
      await call('DELETE', `/v1/jobs/${String(job_id)}`, bob, undefined, 404);
      // The project's v2 view is the whole project's: bob sees alice's job there.
      await call('GET', `/v2/proj-v1/jobs/${String(job_id)}`, user('bob'), undefined, 200);
    });

    describe('ids are unique across the whole service', () => {
      const alice = user('alice');

      it('POST /jobs with a job_id taken anywhere is 409 and leaves the job as it was', async () => {
        await call('POST', '/v2/proj-ids-a/clients', alice, { client_id: 'node1' }, 201);
        await call('POST', '/v2/proj-ids-b/clients', alice, { client_id: 'node1' }, 201);
        const job = { client_id: 'node1', job_actions: [STEP], job_id: 'job-taken-1', description: 'a' };
        await call('POST', '/v2/proj-ids-a/jobs', alice, job, 201);
        for (const [path, headers] of [
          ['/v2/proj-ids-a/jobs', user('bob')],
          ['/v2/proj-ids-b/jobs', alice],
          ['/v1/jobs', { ...alice, 'X-Project-Id': 'proj-ids-b' }],
        ] as const) {
          if (path === '/v1/jobs') await call('POST', '/v1/clients', headers, { client_id: 'node1' }, 201);
          const res = await call('POST', path, headers, { ...job, description: 'b' }, 409);
          expect(res.body).toEqual({
            title: 'Document already existing',
            description: 'Job already registered with ID job-taken-1',
          });
        }
        const kept = (await call('GET', '/v2/proj-ids-a/jobs/job-taken-1', alice, undefined, 200)).body as Doc;
        expect(kept).toMatchObject({ description: 'a', version: 1, user_id: 'alice' });
      });

      it.each([
        ['jobs', 'Job', { client_id: 'node1', job_actions: [STEP], description: 'theirs' }],
        ['actions', 'Action', { freezer_action: { action: 'backup', mode: 'fs' }, description: 'theirs' }],
        ['sessions', 'Session', { description: 'theirs', schedule: {} }],
      ] as const)('replacing %s under an id another project owns is 409 and writes nothing', async (kind, noun, body) => {
        const id = `${kind}-owned-by-a`;
        for (const project of ['proj-rep-a', 'proj-rep-b'])
          await call('POST', `/v2/${project}/clients`, alice, { client_id: 'node1' });
        await call('POST', `/v2/proj-rep-a/${kind}/${id}`, alice, { ...body, description: 'mine' }, 201);

        const res = await call('POST', `/v2/proj-rep-b/${kind}/${id}`, user('mallory'), body, 409);
        expect(res.body).toEqual({
          title: 'Document already existing',
          description: `${noun} ID ${id} is taken by another project`,
        });

        const kept = (await call('GET', `/v2/proj-rep-a/${kind}/${id}`, alice, undefined, 200)).body as Doc;
        expect(kept).toMatchObject({ description: 'mine', version: 1, user_id: 'alice', project_id: 'proj-rep-a' });
        await call('GET', `/v2/proj-rep-b/${kind}/${id}`, user('mallory'), undefined, 404);
        // The owning project may replace it (another of its users, too).
        await call('POST', `/v2/proj-rep-a/${kind}/${id}`, user('bob'), body, 201);
        expect((await call('GET', `/v2/proj-rep-a/${kind}/${id}`, alice, undefined, 200)).body).toMatchObject({
          description: 'theirs',
          version: 2,
          user_id: 'bob',
        });
      });
    });

    describe('clients', () => {
      it('registering a central client needs clients:create_central: a member is refused, admin and service may', async () => {
        const json = { client_id: 'central_refused', hostname: 'c', is_central: true };
        const refused = await call('POST', '/v2/proj-cen-a/clients', user('alice'), json, 403);
        expect(refused.body).toEqual(DENIED);
        await call('GET', '/v2/proj-cen-a/clients/central_refused', user('alice'), undefined, 404);
        // A member may register a private client there (it is the central rule that refused).
        await call('POST', '/v2/proj-cen-a/clients', user('alice'), { ...json, client_id: 'private_ok', is_central: false }, 201);

        await call('POST', '/v2/proj-cen-a/clients', projectAdmin('admin1'), { ...json, client_id: 'central_by_admin' }, 201);
        await call(
          'POST',
          '/v2/proj-cen-a/clients',
          { 'X-User-Id': 'svc', 'X-Roles': 'member,service' },
          { ...json, client_id: 'central_by_service' },
          201,
        );
        for (const id of ['central_by_admin', 'central_by_service']) {
          const shown = (await call('GET', `/v2/proj-cen-a/clients/${id}`, user('alice'), undefined, 200)).body as Doc;
          expect(shown.client).toMatchObject({ client_id: id, is_central: true, uuid: expect.stringMatching(/^[0-9a-f]{32}$/) });
        }
      });

      it('a central client is listed and read by every project, and is the one a job of another project may name', async () => {
        const central = {
          client_id: 'central_node',
          hostname: 'central',
          is_central: true,
          supported_actions: ['backup'],
          supported_modes: ['fs'],
        };
        await call('POST', '/v2/proj-cen-b/clients', projectAdmin('admin1'), central, 201);
        await call('POST', '/v2/proj-cen-c/clients', user('carol'), { client_id: 'carols_node' }, 201);

        const listed = (await call('GET', '/v2/proj-cen-c/clients', user('carol'), undefined, 200)).body as { clients: Doc[] };
        expect(
          listed.clients.map((c) => [(c.client as Doc).client_id, c.project_id, (c.client as Doc).is_central]).sort(),
        ).toEqual(
          [
            ['carols_node', 'proj-cen-c', false],
            ['central_by_admin', 'proj-cen-a', true],
            ['central_by_service', 'proj-cen-a', true],
            ['central_node', 'proj-cen-b', true],
          ].sort(),
        );
        const shown = (await call('GET', '/v2/proj-cen-c/clients/central_node', user('carol'), undefined, 200)).body as Doc;
        expect(shown).toEqual({
          user_id: 'admin1',
          project_id: 'proj-cen-b',
          client: {
            ...central,
            supported_storages: ['local', 'swift', 'ssh', 's3', 'ftp', 'ftps'],
            supported_engines: ['tar', 'rsync', 'rsyncv2', 'nova', 'osbrick', 'glance'],
            uuid: expect.stringMatching(/^[0-9a-f]{32}$/),
          },
        });

        const job = (
          await call('POST', '/v2/proj-cen-c/jobs', user('carol'), { client_id: 'central_node', job_actions: [STEP] }, 201)
        ).body as Doc;
        expect(
          (await call('GET', `/v2/proj-cen-c/jobs/${String(job.job_id)}`, user('carol'), undefined, 200)).body,
        ).toMatchObject({
          client_id: 'central_node',
          project_id: 'proj-cen-c',
        });
        const unsupported = await call(
          'POST',
          '/v2/proj-cen-c/jobs',
          user('carol'),
          { client_id: 'central_node', job_actions: [{ freezer_action: { action: 'restore', mode: 'fs' } }] },
          422,
        );
        expect(unsupported.body).toEqual({
          title: 'Unprocessable Entity',
          description: 'Client central_node does not support action: restore',
        });
        // Another project's private client is not one a job may name.
        await call('POST', '/v2/proj-cen-b/jobs', user('bob'), { client_id: 'carols_node', job_actions: [STEP] }, 422);
      });

      it('a central client_id is unique service-wide; a private one may be registered by another project as its own', async () => {
        await call('POST', '/v2/proj-uniq-a/clients', user('alice'), { client_id: 'private_node', hostname: 'a' }, 201);
        const central = await call(
          'POST',
          '/v2/proj-uniq-b/clients',
          projectAdmin('admin1'),
          { client_id: 'private_node', is_central: true },
          409,
        );
        expect(central.body).toEqual({
          title: 'Document already existing',
          description: 'Client private_node is already registered by another project',
        });

        await call('POST', '/v2/proj-uniq-b/clients', user('bob'), { client_id: 'private_node', hostname: 'b' }, 201);
        for (const [project, hostname, who] of [
          ['proj-uniq-a', 'a', 'alice'],
          ['proj-uniq-b', 'b', 'bob'],
        ] as const) {
          const shown = (await call('GET', `/v2/${project}/clients/private_node`, user(who), undefined, 200)).body as Doc;
          expect(shown).toMatchObject({ project_id: project, user_id: who, client: { hostname, is_central: false } });
        }

        await call(
          'POST',
          '/v2/proj-uniq-a/clients',
          projectAdmin('admin1'),
          { client_id: 'their_central', is_central: true },
          201,
        );
        for (const json of [{ client_id: 'their_central' }, { client_id: 'their_central', is_central: true }]) {
          const res = await call('POST', '/v2/proj-uniq-b/clients', projectAdmin('admin2'), json, 409);
          expect(res.body).toEqual({
            title: 'Document already existing',
            description: 'Client their_central is already registered by another project',
          });
        }
        const listed = (
          await call('GET', '/v2/proj-uniq-b/clients', user('bob'), { match: [{ client_id: 'their_central' }] }, 200)
        ).body as { clients: Doc[] };
        expect(listed.clients.map((c) => c.project_id)).toEqual(['proj-uniq-a']);
      });

      it("re-registering an id in the caller's project updates the description and capabilities only", async () => {
        const first = { client_id: 'rereg_node', hostname: 'h1', description: 'd1', supported_actions: ['backup'] };
        await call('POST', '/v2/proj-rereg/clients', user('alice'), first, 201);
        const before = ((await call('GET', '/v2/proj-rereg/clients/rereg_node', user('alice'), undefined, 200)).body as Doc)
          .client as Doc;

        const again = {
          client_id: 'rereg_node',
          hostname: 'h2',
          description: 'd2',
          uuid: 'another-uuid',
          is_central: true,
          supported_actions: ['backup', 'restore'],
          supported_modes: ['fs'],
        };
        const res = await call('POST', '/v2/proj-rereg/clients', projectAdmin('bob'), again, 201);
        expect(res.body).toEqual({ client_id: 'rereg_node' });
        const after = (await call('GET', '/v2/proj-rereg/clients/rereg_node', user('alice'), undefined, 200)).body as Doc;
        expect(after).toEqual({
          user_id: 'alice',
          project_id: 'proj-rereg',
          client: {
            ...before,
            description: 'd2',
            supported_actions: ['backup', 'restore'],
            supported_modes: ['fs'],
          },
        });
        expect(after.client).toMatchObject({ hostname: 'h1', uuid: before.uuid, is_central: false });
        const search = { match: [{ client_id: 'rereg_node' }] };
        expect(idsOf(await call('GET', '/v2/proj-rereg/clients', user('alice'), search, 200), 'clients', 'user_id')).toEqual([
          'alice',
        ]);
      });

      it("a central client stays central when a member re-registers it; deleting another project's is 403", async () => {
        await call('POST', '/v2/proj-del-a/clients', projectAdmin('admin1'), { client_id: 'del_central', is_central: true }, 201);
        await call('POST', '/v2/proj-del-a/clients', user('alice'), { client_id: 'del_central', description: 'x' }, 201);
        expect((await call('GET', '/v2/proj-del-a/clients/del_central', user('alice'), undefined, 200)).body).toMatchObject({
          client: { is_central: true, description: 'x' },
        });

        const refused = await call('DELETE', '/v2/proj-del-b/clients/del_central', user('bob'), undefined, 403);
        expect(refused.body).toEqual(DENIED);
        await call('GET', '/v2/proj-del-b/clients/del_central', user('bob'), undefined, 200);

        await call('POST', '/v2/proj-del-a/clients', user('alice'), { client_id: 'del_private' }, 201);
        await call('DELETE', '/v2/proj-del-b/clients/del_private', user('bob'), undefined, 204);
        await call('GET', '/v2/proj-del-a/clients/del_private', user('alice'), undefined, 200);

        // Its own project deletes it (any of its users), and then no project sees it.
        await call('DELETE', '/v2/proj-del-a/clients/del_central', user('carol'), undefined, 204);
        await call('GET', '/v2/proj-del-b/clients/del_central', user('bob'), undefined, 404);
      });
    });

    describe('backups', () => {
      const prefix = '/v2/proj-bk';
      const alice = { ...user('alice'), 'X-User-Name': 'Alice' };
      const create = async (json: Doc, headers: Headers = alice) =>
        ((await call('POST', `${prefix}/backups`, headers, json, 201)).body as Doc).backup_id as string;
      const get = async (id: string, path = prefix) =>
        (await call('GET', `${path}/backups/${id}`, alice, undefined, 200)).body as Doc;
      const search = async (match: Doc) =>
        idsOf(await call('GET', `${prefix}/backups`, alice, { match: [match] }, 200), 'backups', 'backup_id');

      it('v2 shows the status and no user_name; a top-level status is taken out of the metadata', async () => {
        const available = await create({ ...SEED_BACKUP, backup_name: 'shape-default' });
        expect(await get(available)).toEqual({
          backup_id: available,
          user_id: 'alice',
          project_id: 'proj-bk',
          status: 'available',
          backup_metadata: { ...SEED_BACKUP, backup_name: 'shape-default' },
        });
        const creating = await create({ ...SEED_BACKUP, backup_name: 'shape-creating', status: 'creating' });
        expect(await get(creating)).toEqual({
          backup_id: creating,
          user_id: 'alice',
          project_id: 'proj-bk',
          status: 'creating',
          backup_metadata: { ...SEED_BACKUP, backup_name: 'shape-creating' },
        });
        expect(await search({ status: 'creating' })).toEqual([creating]);
        expect(await search({ status: 'available', backup_name: 'shape-default' })).toEqual([available]);
      });

      it('v1 keeps user_name and no status, and keeps a status key as metadata', async () => {
        const headers = { ...alice, 'X-Project-Id': 'proj-bk-v1' };
        const res = await call('POST', '/v1/backups', headers, { ...SEED_BACKUP, status: 'creating' }, 201);
        const id = (res.body as Doc).backup_id as string;
        expect((await call('GET', `/v1/backups/${id}`, headers, undefined, 200)).body).toEqual({
          backup_id: id,
          user_id: 'alice',
          user_name: 'Alice',
          project_id: 'proj-bk-v1',
          backup_metadata: { ...SEED_BACKUP, status: 'creating' },
        });
      });

      it.each([['broken'], [''], [3]])('a status of %j is 400', async (status) => {
        const res = await call('POST', `${prefix}/backups`, alice, { ...SEED_BACKUP, backup_name: 'bad-status', status }, 400);
        expect(res.body).toMatchObject({ title: 'Bad Request' });
        expect(await search({ backup_name: 'bad-status' })).toEqual([]);
      });

      it('PATCH sets the status and merges metadata shallowly, ignoring server-owned keys; the whole backup back', async () => {
        const id = await create({ ...SEED_BACKUP, backup_name: 'to-patch', job_id: 'job-old', labels: { a: 1, b: 2 } });
        const bob = user('bob');
        const patched = await call(
          'PATCH',
          `${prefix}/backups/${id}`,
          bob,
          {
            status: 'error',
            backup_metadata: {
              backup_name: 'patched-name',
              job_id: 'job-new',
              labels: { a: 3 },
              extra: true,
              backup_id: 'forged',
              user_id: 'forged',
              project_id: 'forged',
            },
          },
          200,
        );
        const expected = {
          backup_id: id,
          user_id: 'bob',
          project_id: 'proj-bk',
          status: 'error',
          backup_metadata: { ...SEED_BACKUP, backup_name: 'patched-name', job_id: 'job-new', labels: { a: 3 }, extra: true },
        };
        expect(patched.body).toEqual(expected);
        expect(await get(id)).toEqual(expected);

        // The copied columns follow: the new job_id and name are searchable, the old ones are not.
        expect(await search({ job_id: 'job-new' })).toEqual([id]);
        expect(await search({ backup_name: 'patched-name' })).toEqual([id]);
        expect(await search({ job_id: 'job-old' })).toEqual([]);
        expect(await search({ backup_name: 'to-patch' })).toEqual([]);
        expect(await search({ status: 'error' })).toEqual([id]);

        // Status alone, or metadata alone, leaves the other as it was.
        await call('PATCH', `${prefix}/backups/${id}`, alice, { status: 'deleting' }, 200);
        expect(await get(id)).toEqual({ ...expected, user_id: 'alice', status: 'deleting' });
        await call('PATCH', `${prefix}/backups/${id}`, alice, { backup_metadata: { container: 'elsewhere' } }, 200);
        expect(await get(id)).toEqual({
          ...expected,
          user_id: 'alice',
          status: 'deleting',
          backup_metadata: { ...expected.backup_metadata, container: 'elsewhere' },
        });
      });

      it('PATCH with nothing to change, or a bad status, is 400', async () => {
        const id = await create({ ...SEED_BACKUP, backup_name: 'patch-400' });
        for (const json of [{}, { status: 'gone' }]) {
          const res = await call('PATCH', `${prefix}/backups/${id}`, alice, json, 400);
          expect(res.body).toMatchObject({ title: 'Bad Request' });
        }
        expect(await get(id)).toMatchObject({ status: 'available', user_id: 'alice' });
      });

      it("PATCH of a missing backup, or another project's, is 404 and changes nothing", async () => {
        const missing = await call('PATCH', `${prefix}/backups/nope`, alice, { status: 'error' }, 404);
        expect(missing.body).toEqual({ title: 'Not Found', description: 'Backup not registered with ID nope' });

        const id = await create({ ...SEED_BACKUP, backup_name: 'not-theirs' });
        const res = await call('PATCH', `/v2/proj-bk-other/backups/${id}`, alice, { status: 'error' }, 404);
        expect(res.body).toEqual({ title: 'Not Found', description: `Backup not registered with ID ${id}` });
        expect(await get(id)).toMatchObject({ status: 'available', backup_metadata: { backup_name: 'not-theirs' } });
      });
    });

    describe('job documents', () => {
      const prefix = '/v2/proj-jobdoc';
      const alice = user('alice');
      beforeAll(() => call('POST', `${prefix}/clients`, alice, { client_id: 'node1' }, 201));

      it('takes a null description, session_id and session_name', async () => {
        const json = { client_id: 'node1', job_actions: [STEP], description: null, session_id: null, session_name: null };
        const { job_id } = (await call('POST', `${prefix}/jobs`, alice, json, 201)).body as Doc;
        expect((await call('GET', `${prefix}/jobs/${String(job_id)}`, alice, undefined, 200)).body).toMatchObject({
          description: null,
          session_id: null,
          session_name: null,
        });
      });

      it.each([
        ['an unknown action', { action: 'explode', mode: 'fs' }],
        ['an unknown mode', { action: 'backup', mode: 'tape' }],
        [
          'a cindernative_freezer_only that is not a boolean',
          { action: 'backup', mode: 'cindernative', cindernative_freezer_only: 'yes' },
        ],
      ])('refuses a job step with %s (400)', async (_what, freezer_action) => {
        const json = { client_id: 'node1', job_actions: [{ freezer_action }], description: 'refused' };
        const res = await call('POST', `${prefix}/jobs`, alice, json, 400);
        expect(res.body).toMatchObject({ title: 'Bad Request' });
        expect(
          idsOf(await call('GET', `${prefix}/jobs`, alice, { match: [{ description: 'refused' }] }, 200), 'jobs', 'job_id'),
        ).toEqual([]);
      });

      it.each([[true], [false], [null]])('takes cindernative_freezer_only: %j', async (value) => {
        const freezer_action = { action: 'backup', mode: 'cindernative', cindernative_freezer_only: value };
        const { job_id } = (
          await call('POST', `${prefix}/jobs`, alice, { client_id: 'node1', job_actions: [{ freezer_action }] }, 201)
        ).body as Doc;
        const job = (await call('GET', `${prefix}/jobs/${String(job_id)}`, alice, undefined, 200)).body as { job_actions: Doc[] };
        expect(job.job_actions[0]!.freezer_action).toEqual(freezer_action);
      });
    });
  });

  describe('jobs across projects', () => {
    const server = serverFor(engine);
    const call = callsOn(server);
    const alice = user('alice'); // proj-x
    const bob = user('bob'); // proj-y
    const jobs: Record<string, string> = {};
    const jobOf = async (project: string, headers: Headers, client_id: string) =>
      ((await call('POST', `/v2/${project}/jobs`, headers, { client_id, job_actions: [STEP] }, 201)).body as Doc)
        .job_id as string;

    beforeAll(async () => {
      await call('POST', '/v2/proj-x/clients', alice, { client_id: 'x_node' }, 201);
      await call('POST', '/v2/proj-x/clients', projectAdmin('x-admin'), { client_id: 'x_central', is_central: true }, 201);
      await call('POST', '/v2/proj-y/clients', bob, { client_id: 'y_node' }, 201);
      jobs.x = await jobOf('proj-x', alice, 'x_node');
      jobs.y = await jobOf('proj-y', bob, 'y_node');
      jobs.yOnCentral = await jobOf('proj-y', bob, 'x_central');
      // As a scheduler reports the process running each job.
      for (const [project, id, headers] of [
        ['proj-x', jobs.x, alice],
        ['proj-y', jobs.y, bob],
        ['proj-y', jobs.yOnCentral, bob],
      ] as const) {
        await call('PATCH', `/v2/${project}/jobs/${id}`, headers, { job_schedule: { current_pid: 4242 } }, 200);
      }
    });

    const listed = async (path: string, headers: Headers) =>
      (idsOf(await call('GET', path, headers, undefined, 200), 'jobs', 'job_id') as string[]).sort();

    it.each([
      ['admin', ADMIN],
      ['service', SERVICE],
    ])("%s lists and gets every project's jobs, whatever all_projects says", async (_who, headers) => {
      const every = [jobs.x!, jobs.y!, jobs.yOnCentral!].sort();
      for (const query of ['', '?all_projects=False', '?all_projects=True', '?all_projects=false']) {
        expect(await listed(`/v2/admins-project/jobs${query}`, headers)).toEqual(every);
      }
      for (const [id, project] of [
        [jobs.x, 'proj-x'],
        [jobs.y, 'proj-y'],
      ] as const) {
        expect((await call('GET', `/v2/admins-project/jobs/${id}`, headers, undefined, 200)).body).toMatchObject({
          job_id: id,
          project_id: project,
        });
      }
    });

    it("a member sees only its project's jobs, even with all_projects=True", async () => {
      expect(await listed('/v2/proj-x/jobs?all_projects=True', alice)).toEqual([jobs.x]);
      expect(await listed('/v2/proj-y/jobs?all_projects=True', bob)).toEqual([jobs.y!, jobs.yOnCentral!].sort());
      await call('GET', `/v2/proj-x/jobs/${jobs.y}`, alice, undefined, 404);
      // A member of proj-x naming proj-y in the URL is refused by policy.
      await call('GET', '/v2/proj-y/jobs', { ...alice, 'X-Project-Id': 'proj-x' }, undefined, 403);
    });

    it("PATCH and DELETE stay bound to the URL's project, for an admin too", async () => {
      const patch = { description: 'by admin' };
      const res = await call('PATCH', `/v2/admins-project/jobs/${jobs.x}`, ADMIN, patch, 404);
      expect(res.body).toEqual({ title: 'Not Found', description: `No job found with ID ${jobs.x}` });
      await call('PATCH', `/v2/proj-y/jobs/${jobs.x}`, ADMIN, patch, 404);
      await call('DELETE', `/v2/proj-y/jobs/${jobs.x}`, ADMIN, undefined, 204); // v2: done, though nothing was there
      const kept = (await call('GET', `/v2/proj-x/jobs/${jobs.x}`, alice, undefined, 200)).body as Doc;
      expect(kept).not.toHaveProperty('description');

      // Through the job's own project's URL, the admin may.
      await call('PATCH', `/v2/proj-x/jobs/${jobs.x}`, ADMIN, patch, 200);
      expect((await call('GET', `/v2/proj-x/jobs/${jobs.x}`, alice, undefined, 200)).body).toMatchObject({
        description: 'by admin',
        user_id: 'the-admin',
      });
    });

    it('hides current_pid from a project on jobs whose client it did not register, unless the caller sees every project', async () => {
      const pidOf = (job: Doc) => (job.job_schedule as Doc).current_pid;
      const get = async (path: string, headers: Headers) => (await call('GET', path, headers, undefined, 200)).body as Doc;

      expect(pidOf(await get(`/v2/proj-y/jobs/${jobs.yOnCentral}`, bob))).toBeUndefined();
      expect(pidOf(await get(`/v2/proj-y/jobs/${jobs.y}`, bob))).toBe(4242);
      expect(pidOf(await get(`/v2/proj-x/jobs/${jobs.x}`, alice))).toBe(4242);
      const bobsList = (await call('GET', '/v2/proj-y/jobs', bob, undefined, 200)).body as { jobs: Doc[] };
      expect(Object.fromEntries(bobsList.jobs.map((j) => [j.job_id, pidOf(j)]))).toEqual({
        [jobs.y!]: 4242,
        [jobs.yOnCentral!]: undefined,
      });
      // Still stored: the job's other fields are all there, and admin and service see the pid.
      expect((await get(`/v2/proj-y/jobs/${jobs.yOnCentral}`, bob)).job_schedule).toMatchObject({ time_started: -1 });
      for (const headers of [ADMIN, SERVICE]) {
        expect(pidOf(await get(`/v2/admins-project/jobs/${jobs.yOnCentral}`, headers))).toBe(4242);
        const everyList = (await call('GET', '/v2/admins-project/jobs', headers, undefined, 200)).body as { jobs: Doc[] };
        expect(everyList.jobs.map(pidOf)).toEqual([4242, 4242, 4242]);
      }
    });
  });

  describe('the user scope (FREEZER_API_SCOPE=user)', () => {
    const server = serverFor(engine, { scope: 'user' });
    const call = callsOn(server);

    describe.each(KINDS.map((k) => [k.kind, k] as const))('%s', (_kind, kind) => {
      const project = `proj-user-${kind.kind}`;
      const prefix = `/v2/${project}`;
      const alice = user('alice');
      const bob = user('bob');

      it("another user of the project sees nothing of a user's, and changes nothing", async () => {
        const id = await createOne(call, project, kind, alice);

        await call('GET', `${prefix}/${kind.kind}/${id}`, bob, undefined, 404);
        expect(idsOf(await call('GET', `${prefix}/${kind.kind}`, bob, undefined, 200), kind.kind, kind.idKey)).toEqual([]);
        expect(idsOf(await call('GET', `${prefix}/${kind.kind}`, bob, kind.search, 200), kind.kind, kind.idKey)).toEqual([]);
        await call('PATCH', `${prefix}/${kind.kind}/${id}`, bob, kind.patch, 404);
        await call('DELETE', `${prefix}/${kind.kind}/${id}`, bob, undefined, 204); // v2: done, though bob has none

        // The owner still has it, unchanged, and may do all of it.
        const shown = (await call('GET', `${prefix}/${kind.kind}/${id}`, alice, undefined, 200)).body as Doc;
        expect(shown.user_id).toBe('alice');
        expect(kind.patched(shown)).not.toEqual(kind.patchedValue);
        expect(idsOf(await call('GET', `${prefix}/${kind.kind}`, alice, kind.search, 200), kind.kind, kind.idKey)).toEqual([id]);
        await call('PATCH', `${prefix}/${kind.kind}/${id}`, alice, kind.patch, 200);
        expect(kind.patched((await call('GET', `${prefix}/${kind.kind}/${id}`, alice, undefined, 200)).body as Doc)).toEqual(
          kind.patchedValue,
        );
        await call('DELETE', `${prefix}/${kind.kind}/${id}`, alice, undefined, 204);
      });
    });

    it("replacing a job under another user's id is 409 (another owner) and writes nothing", async () => {
      for (const who of ['alice', 'bob']) await call('POST', '/v2/proj-user-rep/clients', user(who), { client_id: 'node1' }, 201);
      const job = { client_id: 'node1', job_actions: [STEP] };
      await call('POST', '/v2/proj-user-rep/jobs/alices-job', user('alice'), { ...job, description: 'mine' }, 201);
      const res = await call('POST', '/v2/proj-user-rep/jobs/alices-job', user('bob'), job, 409);
      expect(res.body).toEqual({
        title: 'Document already existing',
        description: 'Job ID alices-job is taken by another owner',
      });
      expect((await call('GET', '/v2/proj-user-rep/jobs/alices-job', user('alice'), undefined, 200)).body).toMatchObject({
        description: 'mine',
        version: 1,
      });
    });

    it("a client is its user's: another user of the project neither sees nor deletes it", async () => {
      await call('POST', '/v2/proj-user-cl/clients', user('alice'), { client_id: 'alices_node' }, 201);
      await call('GET', '/v2/proj-user-cl/clients/alices_node', user('bob'), undefined, 404);
      expect(idsOf(await call('GET', '/v2/proj-user-cl/clients', user('bob'), undefined, 200), 'clients', 'user_id')).toEqual([]);
      await call('DELETE', '/v2/proj-user-cl/clients/alices_node', user('bob'), undefined, 204);
      await call('GET', '/v2/proj-user-cl/clients/alices_node', user('alice'), undefined, 200);
    });
  });
});
