// keystone mode against the real Keystone of test/keystone/start.sh: tokens, projects, roles.
import { ENGINES } from '../helpers/engines';
import { checkEach } from '../helpers/failures';
import { serverFor, startTestServer } from '../helpers/http';
import { captureLog } from '../helpers/log';
import { parseMetrics, valueOf } from '../helpers/prometheus';
import { unreachableKeystone, withKeystone } from '../helpers/keystone';

const BACKUP = { backup_name: 'b', container: 'c', hostname: 'h' };

withKeystone('keystone mode', (ks) => {
  const server = serverFor(ENGINES[0]!, { auth: ks.auth() });
  const auth = (token: string, extra: Record<string, string> = {}) => ({ headers: { 'X-Auth-Token': token, ...extra } });

  it('leaves / and /healthcheck public', async () => {
    expect((await server.request('GET', '/')).status).toBe(300);
    expect((await server.request('GET', '/healthcheck')).status).toBe(200);
  });

  it('answers 401 with WWW-Authenticate to a missing or garbage token', async () => {
    const cases = [{}, auth('garbage'), auth('gAAAAABtampered-token-value')].flatMap((options) =>
      [`/v2/${ks.projects.p1}/backups`, '/v1/backups', '/v2'].map((path) => ({ options, path })),
    );
    await checkEach(cases, async ({ options, path }) => {
      const res = await server.request('GET', path, options);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(`Keystone uri="${ks.url}"`);
      expect(res.body).toEqual({ title: 'Unauthorized', description: 'The request you have made requires authentication.' });
    });
  });

  it("takes user and project from the token, never from the client's identity headers", async () => {
    const alice = await ks.token('alice');
    const forged = { 'X-User-Id': ks.users.bob, 'X-Project-Id': ks.projects.p2, 'X-User-Name': 'bob', 'X-Roles': 'admin' };
    const created = await server.request('POST', `/v2/${ks.projects.p1}/backups/`, { json: BACKUP, ...auth(alice, forged) });
    expect(created.status).toBe(201);
    const { backup_id } = created.body as { backup_id: string };
    const shown = await server.request('GET', `/v2/${ks.projects.p1}/backups/${backup_id}`, auth(alice));
    expect(shown.body).toMatchObject({ user_id: ks.users.alice, project_id: ks.projects.p1 });
    // v1 requests belong to the token's project: the same backup, with the uploader's name.
    const v1 = await server.request('GET', `/v1/backups/${backup_id}`, auth(alice, forged));
    expect(v1.body).toMatchObject({ user_id: ks.users.alice, user_name: 'alice' });
  });

  it("refuses a token on another project's URL with 403, and keeps users apart", async () => {
    const alice = await ks.token('alice');
    const bob = await ks.token('bob');
    const { backup_id } = (await server.request('POST', `/v2/${ks.projects.p1}/backups`, { json: BACKUP, ...auth(alice) }))
      .body as { backup_id: string };
    const crossing = await server.request('GET', `/v2/${ks.projects.p1}/backups/${backup_id}`, auth(bob));
    expect(crossing.status).toBe(403);
    // project_member: the token's project must be the URL's
    expect(crossing.body).toEqual({ title: 'Access Forbidden', description: 'You are not allowed to access this resource' });
    expect((await server.request('DELETE', `/v2/${ks.projects.p1}/backups/${backup_id}`, auth(bob))).status).toBe(403);
    expect((await server.request('GET', `/v1/backups/${backup_id}`, auth(bob))).status).toBe(404);
    expect((await server.request('GET', `/v2/${ks.projects.p2}/backups/${backup_id}`, auth(bob))).status).toBe(404);
    expect((await server.request('GET', `/v2/${ks.projects.p1}/backups/${backup_id}`, auth(alice))).status).toBe(200);
  });

  it('lets the admin role use any project URL', async () => {
    const admin = await ks.token('admin');
    expect((await server.request('GET', `/v2/${ks.projects.p1}/backups`, auth(admin))).status).toBe(200);
    expect((await server.request('POST', `/v2/${ks.projects.p2}/backups`, { json: BACKUP, ...auth(admin) })).status).toBe(201);
  });

  it("checks the policy with the token's roles: a service reads anywhere and writes only backups", async () => {
    // dave has only the service role (the API's own user also has admin, to delete trusts).
    const service = await ks.token('dave');
    expect((await server.request('GET', `/v2/${ks.projects.p1}/jobs`, auth(service))).status).toBe(200);
    expect((await server.request('POST', `/v2/${ks.projects.p1}/backups`, { json: BACKUP, ...auth(service) })).status).toBe(201);
    const action = { freezer_action: { action: 'backup' } };
    const refused = await server.request('POST', `/v2/${ks.projects.p1}/actions`, { json: action, ...auth(service) });
    expect([refused.status, refused.body]).toEqual([
      403,
      { title: 'Access Forbidden', description: 'You are not allowed to access this resource' },
    ]);
  });

  it('refuses a token scoped to no project with 403', async () => {
    const unscoped = await ks.token('alice', 'unscoped');
    const res = await server.request('GET', '/v1/backups', auth(unscoped));
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ title: 'Access Forbidden', description: 'The token is not scoped to a project.' });
  });

  it('answers 401 once a revoked token is no longer cached', async () => {
    const uncached = await startTestServer(ENGINES[0]!, { auth: ks.auth({ cacheSeconds: 0 }) });
    try {
      const alice = await ks.token('alice');
      expect((await uncached.request('GET', '/v1/backups', auth(alice))).status).toBe(200);
      const revoked = await fetch(`${ks.url}/auth/tokens`, {
        method: 'DELETE',
        headers: { 'X-Auth-Token': alice, 'X-Subject-Token': alice },
      });
      expect(revoked.status).toBe(204);
      expect((await uncached.request('GET', '/v1/backups', auth(alice))).status).toBe(401);
    } finally {
      await uncached.close();
    }
  });

  it('asks Keystone once per token, however many requests and however concurrent', async () => {
    const alice = await ks.token('alice');
    const before = ks.validations();
    const validations = async () => {
      const family = parseMetrics((await server.request('GET', '/metrics')).text).get('freezer_api_keystone_token_validations');
      const count = (outcome: string) => valueOf(family, { outcome }, 'freezer_api_keystone_token_validations_total')!;
      return { asked: count('asked'), cacheHit: count('cache_hit') };
    };
    const metricsBefore = await validations();
    const results = await Promise.all(Array.from({ length: 30 }, () => server.request('GET', '/v1/clients', auth(alice))));
    for (let i = 0; i < 20; i++) await server.request('GET', '/v1/backups', auth(alice));
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(ks.validations() - before).toBe(1);
    // The metrics say the same: Keystone asked once; the 20 sequential requests came from the cache.
    const metricsAfter = await validations();
    expect(metricsAfter.asked - metricsBefore.asked).toBe(1);
    expect(metricsAfter.cacheHit - metricsBefore.cacheHit).toBeGreaterThanOrEqual(20);
  });
});

describe('keystone mode with Keystone unreachable', () => {
  const log = captureLog();
  const server = serverFor(ENGINES[0]!, { auth: unreachableKeystone(), logTo: log.output });

  it('answers 503 quickly, not a hang, and still 401 without a token', async () => {
    const started = Date.now();
    const res = await server.request('GET', '/v2/p1/backups', { headers: { 'X-Auth-Token': 'any' } });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      title: 'Service Unavailable',
      description: `The identity service cannot be reached; try again later. (request ${String(res.headers['x-openstack-request-id'])})`,
    });
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await server.request('GET', '/v2/p1/backups')).status).toBe(401);
    expect(res.headers['retry-after']).toBe('2');
    // Logged in one line per failed request, with what Keystone's client said underneath.
    expect(log.lines().filter((line) => line.level === 'error')).toEqual([
      expect.objectContaining({
        request_id: res.headers['x-openstack-request-id'],
        msg: expect.stringMatching(
          /^GET \/v2\/p1\/backups -> 503: The identity service cannot be reached; try again later\. \(.*cannot be reached.*\)$/,
        ) as unknown,
      }),
    ]);
  });
});
