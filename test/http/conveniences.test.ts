// The spec's "HTTP methods, links and browsers" rules, over real HTTP on every engine: HEAD for
// every GET, OPTIONS with Allow on every path, Location on every 201, the next page's Link, and
// CORS when the operator turns it on. Every answer is also checked against the spec by the
// request helper (required headers present, Link and Location valid).
import { engineRows } from '../helpers/engines';
import { checkEach } from '../helpers/failures';
import { serverFor } from '../helpers/http';
import { unreachableKeystone } from '../helpers/keystone';
import { specApi } from '../helpers/spec';
import { EXAMPLE_CLIENT, examplePath, FIXTURES, prepare, type Send } from '../helpers/status-recipes';

const PROJECT = 'proj-conveniences';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** What `Allow` must say for a spec path: its methods, HEAD beside GET, and OPTIONS, in the dispatcher's order. */
async function allowFor(template: string): Promise<string> {
  const api = await specApi();
  const methods = new Set(
    api
      .getOperations()
      .filter((op) => op.path === template)
      .map((op) => op.method),
  );
  if (methods.has('get')) methods.add('head');
  methods.add('options');
  return METHODS.filter((m) => methods.has(m))
    .map((m) => m.toUpperCase())
    .join(', ');
}

/** The headers a HEAD must share with its GET (Date and the request id differ by nature). */
const SHARED = ['content-type', 'content-length', 'etag', 'link', 'allow'];

describe.each(engineRows)('HTTP conveniences on %s', (_name, engine) => {
  const server = serverFor(engine);
  const send: Send = (method, path, json, headers) =>
    server.request(method, path, { headers, ...(json === undefined ? {} : { json }) });
  const user = (name: string) => ({ 'X-User-Id': `conveniences-${name}` });
  /** keystone mode with no Keystone to ask: any request that asked who the caller is would be 401. */
  const keystone = serverFor(engine, { auth: unreachableKeystone() });

  it('answers HEAD on every GET operation with its status and headers and no body', async () => {
    const api = await specApi();
    // The health checks' own HEAD operations answer 204 (test/http/health.test.ts).
    const ownHead = new Set(
      api
        .getOperations()
        .filter((op) => op.method === 'head')
        .map((op) => op.path),
    );
    const gets = api.getOperations().filter((op) => op.method === 'get' && !ownHead.has(op.path));
    expect(gets.length).toBeGreaterThan(20);
    await checkEach(
      gets,
      async (op) => {
        const status = Number(Object.keys(op.responses ?? {}).find((s) => /^[23]/.test(s)));
        const { request } = await prepare(send, {
          template: op.path,
          status,
          userPrefix: 'conveniences-head',
          request: { method: 'GET', path: examplePath(op, PROJECT), headers: {} },
        });
        const get = await server.request('GET', request.path, { headers: request.headers });
        const head = await server.request('HEAD', request.path, { headers: request.headers });
        expect(head.status).toBe(status);
        expect(get.status).toBe(status);
        expect(head.text).toBe('');
        // The metrics change between two scrapes: their length may too.
        const shared = op.path === '/metrics' ? ['content-type'] : SHARED;
        for (const name of shared) expect([name, head.headers[name]]).toEqual([name, get.headers[name]]);
      },
      (op) => String(op.operationId),
    );
  });

  it('answers OPTIONS on every path with Allow, asking no one who the caller is', async () => {
    const api = await specApi();
    const templates = [...new Set(api.getOperations().map((op) => op.path))];
    await checkEach(templates, async (template) => {
      const path = template.replace(/\{[^}]+\}/g, 'any-id');
      const res = await keystone.request('OPTIONS', path);
      expect(res.status).toBe(204);
      expect(res.headers.allow).toBe(await allowFor(template));
    });
    expect((await server.request('OPTIONS', '/v2/p/nothing-here')).status).toBe(404);
  });

  it('lists HEAD and OPTIONS in the Allow of a 405', async () => {
    const res = await server.request('DELETE', `/v2/${PROJECT}/backups`);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, POST, HEAD, OPTIONS');
    expect(res.body).toEqual({
      title: 'Method Not Allowed',
      description: `/v2/${PROJECT}/backups answers GET, POST, HEAD, OPTIONS, not DELETE`,
    });
  });

  describe('Location', () => {
    const creates = Object.entries(FIXTURES).flatMap(([idKey, { collection, body }]) =>
      [`/v2/${PROJECT}`, '/v1'].map((prefix) => ({ idKey, collection, body, prefix })),
    );

    it.each(creates)('a created $collection at $prefix: Location reads it', async ({ idKey, collection, body, prefix }) => {
      const headers = user(`location-${collection}${prefix.replace(/\W/g, '-')}`);
      if (collection === 'jobs') await send('POST', `${prefix}/clients`, { client_id: EXAMPLE_CLIENT }, headers);
      const created = await server.request('POST', `${prefix}/${collection}`, { headers, json: body });
      expect(created.status).toBe(201);
      const id = (created.body as Record<string, string>)[idKey]!;
      expect(created.headers.location).toBe(`${server.url}${prefix}/${collection}/${encodeURIComponent(id)}`);
      const read = await server.request('GET', new URL(String(created.headers.location)).pathname, { headers });
      expect(read.status).toBe(200);
      expect(JSON.stringify(read.body)).toContain(id);
    });

    it('a replaced job: Location is its own URL', async () => {
      const headers = user('location-replace');
      await send('POST', `/v2/${PROJECT}/clients`, { client_id: EXAMPLE_CLIENT }, headers);
      const res = await server.request('POST', `/v2/${PROJECT}/jobs/replaced_job`, {
        headers,
        json: FIXTURES.job_id!.body,
      });
      expect(res.status).toBe(201);
      expect(res.headers.location).toBe(`${server.url}/v2/${PROJECT}/jobs/replaced_job`);
    });

    const proxied = serverFor(engine, { trustProxy: true });
    it('names the address the client used behind a trusted proxy', async () => {
      const res = await proxied.request('POST', `/v2/${PROJECT}/actions`, {
        headers: { ...user('location-proxy'), 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'backup.example.com' },
        json: { freezer_action: { action: 'backup' } },
      });
      const id = (res.body as { action_id: string }).action_id;
      expect(res.headers.location).toBe(`https://backup.example.com/v2/${PROJECT}/actions/${id}`);
    });
  });

  describe('the next page', () => {
    /** Follows Link headers from `path` to the end; the pages' ids and the links followed. */
    async function walk(path: string, headers: Record<string, string>, idOf: (item: never) => string, json?: unknown) {
      const pages: string[][] = [];
      const links: string[] = [];
      let next: string | undefined = path;
      let body = json;
      while (next !== undefined) {
        const res = await server.request('GET', next, { headers, ...(body === undefined ? {} : { json: body }) });
        expect(res.status).toBe(200);
        const items = Object.values(res.body as object)[0] as never[];
        pages.push(items.map(idOf));
        const link = res.headers.link;
        next = undefined;
        if (typeof link === 'string') {
          links.push(link);
          const url = new URL(/^<([^>]+)>; rel="next"$/.exec(link)![1]!);
          expect(url.origin).toBe(server.url);
          next = url.pathname + url.search;
        }
        body = undefined; // the link carries the search
        if (pages.length > 10) throw new Error('the links never end');
      }
      return { pages, links };
    }

    it('links each full page to the next, keeping the query, until a page is not full', async () => {
      const headers = user('link-jobs');
      await send('POST', `/v2/${PROJECT}/clients`, { client_id: EXAMPLE_CLIENT }, headers);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const job = { ...FIXTURES.job_id!.body, description: `job ${i}` };
        const res = await send('POST', `/v2/${PROJECT}/jobs`, job, headers);
        ids.push((res.body as { job_id: string }).job_id);
      }
      // The project holds other tests' jobs too: search for this user's.
      const mine = JSON.stringify({ match: [{ user_id: headers['X-User-Id'] }] });
      const { pages, links } = await walk(
        `/v2/${PROJECT}/jobs?limit=2&all_projects=False&search=${encodeURIComponent(mine)}`,
        headers,
        (job: { job_id: string }) => job.job_id,
      );
      expect(pages).toEqual([ids.slice(0, 2), ids.slice(2, 4), [ids[4]]]);
      expect(links).toHaveLength(2);
      expect(new URL(links[0]!.slice(1, -13)).searchParams.get('all_projects')).toBe('False');
      expect(new URL(links[0]!.slice(1, -13)).searchParams.get('marker')).toBe(ids[1]);
    });

    it('carries a search sent in the body as the search parameter, and drops offset', async () => {
      const headers = user('link-search');
      const ids: string[] = [];
      for (const name of ['kept', 'other', 'kept', 'kept']) {
        const action = { freezer_action: { action: 'backup', backup_name: `link-${name}` } };
        ids.push(((await send('POST', `/v2/${PROJECT}/actions`, action, headers)).body as { action_id: string }).action_id);
      }
      const search = { match: [{ backup_name: 'link-kept' }, { user_id: headers['X-User-Id'] }] };
      const { pages, links } = await walk(
        `/v2/${PROJECT}/actions?limit=1&offset=1`,
        headers,
        (action: { action_id: string }) => action.action_id,
        search,
      );
      // offset 1 skips the first kept one; then one per page after the marker.
      expect(pages).toEqual([[ids[2]], [ids[3]], []]);
      const first = new URL(links[0]!.slice(1, -13)).searchParams;
      expect(first.get('offset')).toBeNull();
      expect(JSON.parse(first.get('search')!)).toEqual(search);
    });

    it('finds the marker of a client inside its client object, on v1 too', async () => {
      const headers = user('link-clients');
      for (const prefix of [`/v2/${PROJECT}`, '/v1']) {
        for (const name of ['a', 'b'])
          await send('POST', `${prefix}/clients`, { client_id: `link-${prefix.length}-${name}` }, headers);
        const mine = encodeURIComponent(JSON.stringify({ match: [{ user_id: headers['X-User-Id'] }] }));
        const { pages } = await walk(
          `${prefix}/clients?limit=1&search=${mine}`,
          headers,
          (c: { client: { client_id: string } }) => c.client.client_id,
        );
        expect(pages).toEqual([[`link-${prefix.length}-a`], [`link-${prefix.length}-b`], []]);
      }
    });

    it('has no Link on a page that is not full', async () => {
      const res = await server.request('GET', `/v2/${PROJECT}/sessions?limit=1000`, { headers: user('link-none') });
      expect(res.headers.link).toBeUndefined();
    });
  });

  describe('CORS', () => {
    const ORIGIN = 'https://horizon.example.com';
    const cors = serverFor(engine, { corsOrigins: [ORIGIN] });
    const anyOrigin = serverFor(engine, { corsOrigins: ['*'] });

    it('lets a listed origin read answers, errors included, and their headers', async () => {
      await checkEach([`/v2/${PROJECT}/jobs`, '/v2/p/nothing'], async (path) => {
        const res = await cors.request('GET', path, { headers: { Origin: ORIGIN, ...user('cors') } });
        expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
        expect(res.headers['access-control-expose-headers']).toBe('ETag, Location, Link, Retry-After, x-openstack-request-id');
        expect(res.headers['access-control-allow-credentials']).toBeUndefined();
        expect(res.headers.vary).toBe('Origin');
      });
    });

    it('answers a preflight for a method the path has and headers the API reads', async () => {
      const res = await cors.request('OPTIONS', `/v2/${PROJECT}/jobs/some-job`, {
        headers: {
          Origin: ORIGIN,
          'Access-Control-Request-Method': 'PATCH',
          'Access-Control-Request-Headers': 'X-Auth-Token, If-Match, Content-Type, X-OpenStack-Request-ID',
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(res.headers['access-control-allow-methods']).toBe('GET, POST, DELETE, PATCH, HEAD, OPTIONS');
      expect(res.headers['access-control-allow-headers']).toBe('x-auth-token, if-match, content-type, x-openstack-request-id');
      expect(res.headers['access-control-max-age']).toBe('3600');
    });

    it.each([
      ['another origin', { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' }],
      ['a method the path lacks', { Origin: ORIGIN, 'Access-Control-Request-Method': 'PUT' }],
      [
        'a header the API does not read',
        { Origin: ORIGIN, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'X-Evil' },
      ],
    ])('gives a preflight from %s no permission', async (_what, headers) => {
      const res = await cors.request('OPTIONS', `/v2/${PROJECT}/jobs/some-job`, { headers });
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-methods']).toBeUndefined();
      if (headers.Origin !== ORIGIN) expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('echoes any origin with *, and sends no CORS header at all when off', async () => {
      const open = await anyOrigin.request('GET', '/v2', { headers: { Origin: 'http://localhost:8080' } });
      expect(open.headers['access-control-allow-origin']).toBe('http://localhost:8080');
      const off = await server.request('OPTIONS', `/v2/${PROJECT}/jobs`, {
        headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'GET' },
      });
      expect(off.status).toBe(204);
      expect(Object.keys(off.headers).filter((name) => name.startsWith('access-control-') || name === 'vary')).toEqual([]);
    });
  });
});
