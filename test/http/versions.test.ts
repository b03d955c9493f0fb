// Version discovery and the JSON-home documents, and their links behind a proxy.
import { ENGINES } from '../helpers/engines';
import { checkEach } from '../helpers/failures';
import { startTestServer, type TestServer } from '../helpers/http';

describe('versions', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(ENGINES[0]!);
  });
  afterAll(() => server.close());

  it('lists both versions with links on the host that was asked, with 300', async () => {
    await checkEach(['api.example.test:9090', 'other.example.test'], async (host) => {
      const res = await server.request('GET', '/', { headers: { Host: host } });
      expect(res.status).toBe(300);
      expect(res.body).toEqual({
        versions: [
          { id: 'v2', status: 'CURRENT', updated: '2018-02-21T13:30:00Z', links: [{ href: `http://${host}/v2/`, rel: 'self' }] },
          {
            id: 'v1',
            status: 'DEPRECATED',
            updated: '2015-03-23T13:45:00Z',
            links: [{ href: `http://${host}/v1/`, rel: 'self' }],
          },
        ],
      });
    });
  });

  it('answers the same document from /versions with 200, for clients that take a 3xx for a failure', async () => {
    const [discovery, versions] = [await server.request('GET', '/'), await server.request('GET', '/versions')];
    expect([discovery.status, versions.status]).toEqual([300, 200]);
    expect(versions.body).toEqual(discovery.body);
  });

  it('serves the v2 home document exactly as current upstream does (backups, and the jobs schedulers poll)', async () => {
    await checkEach(['/v2', '/v2/'], async (path) => {
      const res = await server.request('GET', path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json-home/);
      expect(res.body).toEqual({
        resources: {
          'rel/backups': {
            'href-template': '/v2/{project_id}/backups/{backup_id}',
            'href-vars': { project_id: 'param/project_id', backup_id: 'param/backup_id' },
            hints: { allow: ['GET'], formats: { 'application/json': {} } },
          },
          'rel/jobs': {
            'href-template': '/v2/{project_id}/jobs{?all_projects,offset,limit}',
            'href-vars': {
              project_id: 'param/project_id',
              all_projects: 'param/all_projects',
              offset: 'param/offset',
              limit: 'param/limit',
            },
            hints: { allow: ['GET', 'POST'], formats: { 'application/json': {} } },
          },
          'rel/job': {
            'href-template': '/v2/{project_id}/jobs/{job_id}',
            'href-vars': { project_id: 'param/project_id', job_id: 'param/job_id' },
            hints: { allow: ['GET', 'POST', 'PATCH', 'DELETE'], formats: { 'application/json': {} } },
          },
        },
      });
    });
  });

  it('serves the v1 home document', async () => {
    const res = await server.request('GET', '/v1');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      resources: {
        'rel/backups': {
          'href-template': '/v1/backups/{backup_id}',
          'href-vars': { backup_id: 'param/backup_id' },
          hints: { allow: ['GET'], formats: { 'application/json': {} } },
        },
      },
    });
  });
});

const PROXIED: [string, Record<string, string>, string][] = [
  [
    'X-Forwarded-Proto and -Host',
    { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'backup.example.org' },
    'https://backup.example.org',
  ],
  [
    'the first of a chain of proxies',
    { 'X-Forwarded-Proto': 'https, http', 'X-Forwarded-Host': 'a.example, b.internal' },
    'https://a.example',
  ],
  [
    'Forwarded (RFC 7239), which wins',
    { Forwarded: 'for=192.0.2.1;proto=https;host="api.example:8443", for=10.0.0.1', 'X-Forwarded-Host': 'ignored.example' },
    'https://api.example:8443',
  ],
  [
    'a path prefix',
    { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'cloud.example', 'X-Forwarded-Prefix': '/backup/' },
    'https://cloud.example/backup',
  ],
  [
    'malformed values, ignored',
    { 'X-Forwarded-Proto': 'javascript', 'X-Forwarded-Host': 'evil.example/x?', 'X-Forwarded-Prefix': '/a b' },
    'http://direct.example',
  ],
];

describe('versions behind a proxy (FREEZER_API_TRUST_PROXY)', () => {
  let trusting: TestServer;
  let direct: TestServer;
  beforeAll(async () => {
    trusting = await startTestServer(ENGINES[0]!, { trustProxy: true });
    direct = await startTestServer(ENGINES[0]!);
  });
  afterAll(async () => {
    await trusting.close();
    await direct.close();
  });
  const v2Link = (res: { body: unknown }) =>
    (res.body as { versions: { links: { href: string }[] }[] }).versions[0]!.links[0]!.href;

  it.each(PROXIED)('link to what the client used, from %s', async (_what, headers, base) => {
    const res = await trusting.request('GET', '/', { headers: { Host: 'direct.example', ...headers } });
    expect(v2Link(res)).toBe(`${base}/v2/`);
  });

  it('ignore the proxy headers unless told to trust them', async () => {
    const res = await direct.request('GET', '/', { headers: { Host: 'direct.example', ...PROXIED[0]![1] } });
    expect(v2Link(res)).toBe('http://direct.example/v2/');
  });
});
