// The typed client (`freezer-api/client`, src/client.ts) against a running server over real
// HTTP: a scheduler's whole flow through it, every body typed by the spec, answers checked
// against the spec too. Its subpath export is loaded as users load it in
// test/production/run.sh.
import { createFreezerClient, etag, search, type FreezerClient } from '../../src/client';
import { engineRows } from '../helpers/engines';
import { serverFor } from '../helpers/http';
import { conformanceErrors, type Exchange } from '../helpers/spec';

const PROJECT = 'typed-client';
const project_id = PROJECT;

describe.each(engineRows)('the typed client on %s', (_name, engine) => {
  const server = serverFor(engine);
  let client: FreezerClient;
  /** Every answer the client got, checked against the spec at the end. */
  const answers: Exchange[] = [];
  beforeAll(() => {
    client = createFreezerClient({ baseUrl: server.url, credentials: { userId: 'typed-user', projectId: PROJECT } });
    client.use({
      async onResponse({ request, response }) {
        const text = await response.clone().text();
        const body = /json/.test(response.headers.get('content-type') ?? '') && text ? (JSON.parse(text) as unknown) : text;
        const url = new URL(request.url);
        const headers = Object.fromEntries(response.headers.entries());
        answers.push({ method: request.method, path: url.pathname + url.search, status: response.status, headers, body, text });
        return response;
      },
    });
  });
  afterAll(async () => {
    expect(answers.length).toBeGreaterThan(20);
    expect((await Promise.all(answers.map(conformanceErrors))).flat()).toEqual([]);
  });

  it('registers a client, runs a job through its events, a session through its handshake, uploads and searches backups, pages by marker, and gets 412 for a stale If-Match', async () => {
    const registered = await client.POST('/v2/{project_id}/clients', {
      params: { path: { project_id } },
      body: { client_id: 'typed-node1', hostname: 'node1', supported_actions: ['backup'] },
    });
    expect([registered.response.status, registered.data?.client_id]).toEqual([201, 'typed-node1']);

    const job = await client.POST('/v2/{project_id}/jobs', {
      params: { path: { project_id } },
      body: { client_id: 'typed-node1', description: 'nightly', job_actions: [{ freezer_action: { action: 'backup' } }] },
    });
    expect(job.response.status).toBe(201);
    const job_id = job.data!.job_id;
    const read = await client.GET('/v2/{project_id}/jobs/{job_id}', { params: { path: { project_id, job_id } } });
    expect([read.data?.description, read.data?.version]).toEqual(['nightly', 1]);
    const version1 = etag(read.response);

    const started = await client.POST('/v2/{project_id}/jobs/{job_id}/event', {
      params: { path: { project_id, job_id } },
      body: { start: null },
    });
    expect(started.response.status).toBe(202);
    const afterEvent = await client.GET('/v2/{project_id}/jobs/{job_id}', { params: { path: { project_id, job_id } } });
    expect(afterEvent.data?.job_schedule?.event).toBe('start');

    // A write against the version read before the event: refused, and nothing changes.
    const stale = await client.PATCH('/v2/{project_id}/jobs/{job_id}', {
      params: { path: { project_id, job_id }, header: { 'If-Match': version1 } },
      body: { description: 'lost update' },
    });
    expect([stale.response.status, stale.error?.title]).toEqual([412, 'Precondition Failed']);
    const current = etag(afterEvent.response);
    const fresh = await client.PATCH('/v2/{project_id}/jobs/{job_id}', {
      params: { path: { project_id, job_id }, header: { 'If-Match': current } },
      body: { description: 'weekly' },
    });
    expect(fresh.response.status).toBe(200);

    const session = await client.POST('/v2/{project_id}/sessions', {
      params: { path: { project_id } },
      body: { description: 'together', schedule: {} },
    });
    const session_id = session.data!.session_id;
    const added = await client.PUT('/v2/{project_id}/sessions/{session_id}/jobs/{job_id}', {
      params: { path: { project_id, session_id, job_id } },
    });
    expect(added.response.status).toBe(204);
    const start = await client.POST('/v2/{project_id}/sessions/{session_id}/action', {
      params: { path: { project_id, session_id } },
      body: { start: { job_id, current_tag: 0 } },
    });
    expect([start.response.status, start.data?.result]).toEqual([202, 'success']);
    const end = await client.POST('/v2/{project_id}/sessions/{session_id}/action', {
      params: { path: { project_id, session_id } },
      body: { end: { job_id, current_tag: start.data!.session_tag, result: 'success' } },
    });
    expect([end.response.status, end.data?.result]).toEqual([202, 'success']);

    const uploaded: string[] = [];
    for (const [i, hostname] of ['alpha', 'beta', 'alpha', 'alpha'].entries()) {
      const backup = await client.POST('/v2/{project_id}/backups', {
        params: { path: { project_id } },
        body: { backup_name: `b${i}`, container: 'c', hostname, time_stamp: 1700000000 + i, level: 0 },
      });
      expect(backup.response.status).toBe(201);
      uploaded.push(backup.data!.backup_id);
    }
    // A search from a GET without a body, as fetch must send it: the search parameter.
    const alpha = await client.GET('/v2/{project_id}/backups', {
      params: { path: { project_id }, query: { search: search({ match: [{ hostname: 'alpha' }] }) } },
    });
    expect(alpha.data?.backups.map((b) => b.backup_metadata.backup_name)).toEqual(['b0', 'b2', 'b3']);

    // Paging by marker: one backup a page, each page after the last one seen.
    const seen: string[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await client.GET('/v2/{project_id}/backups', {
        params: { path: { project_id }, query: { limit: 1, ...(marker && { marker }) } },
      });
      const [item] = page.data?.backups ?? [];
      if (!item) break;
      seen.push(item.backup_id);
      marker = item.backup_id;
    }
    expect(seen).toEqual(uploaded);
  });

  it('gives a typed error for a missing item, and sends a Keystone token when given one', async () => {
    const missing = await client.GET('/v2/{project_id}/jobs/{job_id}', {
      params: { path: { project_id, job_id: 'no-such-job' } },
    });
    expect([missing.response.status, missing.error?.title]).toEqual([404, 'Not Found']);
    let sent: string | null = null;
    const withToken = createFreezerClient({
      baseUrl: server.url,
      credentials: { keystoneToken: () => Promise.resolve('a-token') },
      fetch: (request) => {
        sent = (request as Request).headers.get('x-auth-token');
        return fetch(request);
      },
    });
    const home = await withToken.GET('/v2', {});
    expect([home.response.status, sent]).toEqual([200, 'a-token']);
  });
});
