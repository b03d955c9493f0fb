// Version discovery, the JSON-home documents and the health check.
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
