// Request ids and the request log, read back: every response carries an OpenStack request id
// (the spec check in every suite holds each response to it), a well-formed incoming one is kept
// and any other replaced, and each request is one JSON log line under that id, with who asked
// for what and what they got — never a token, a password or a body. The same for the real
// process: its stdout is JSON lines only.
import { ENGINES } from '../helpers/engines';
import { startTestServer, type TestServer } from '../helpers/http';
import { captureLog, type CapturedLog } from '../helpers/log';
import { rawExchange } from '../helpers/raw-http';
import { startServerProcess } from '../helpers/server-process';
import { tempDir } from '../helpers/temp-dir';
import { timedExchange } from '../helpers/timed-http';

const REQUEST_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SECRET_TOKEN = 'gAAAAA-secret-token-never-logged';
const SECRET_PASSWORD = 'hunter2-never-logged';

describe('request ids and the request log', () => {
  let log: CapturedLog;
  let server: TestServer;
  beforeAll(async () => {
    log = captureLog();
    server = await startTestServer(ENGINES[0]!, { logTo: log.output });
  });
  afterAll(() => server.close());
  const lineFor = (requestId: unknown) => log.lines().filter((line) => line.request_id === requestId);

  it('logs each request once, under its response id, with the operation, status, latency, user and project', async () => {
    const res = await server.request('POST', '/v2/proj-a/clients', {
      json: { client_id: 'logged-client', hostname: 'h', password: SECRET_PASSWORD },
      headers: { 'X-User-Id': 'user-a', 'X-Auth-Token': SECRET_TOKEN },
    });
    expect(res.status).toBe(201);
    const requestId = res.headers['x-openstack-request-id'];
    expect(requestId).toMatch(REQUEST_ID);
    expect(lineFor(requestId)).toEqual([
      expect.objectContaining({
        level: 'info',
        name: 'freezer-api',
        request_id: requestId,
        method: 'POST',
        path: '/v2/proj-a/clients',
        route: '/v2/{project_id}/clients',
        operation_id: 'createClient',
        status: 201,
        duration_ms: expect.any(Number),
        user_id: 'user-a',
        project_id: 'proj-a',
        msg: 'POST /v2/{project_id}/clients 201',
      }),
    ]);
  });

  it('keeps a well-formed incoming id and replaces a malformed one without echoing it', async () => {
    const mine = 'req-0b7d2c4e-1f3a-4b5c-8d9e-0a1b2c3d4e5f';
    const kept = await server.request('GET', '/v2/p/backups', { headers: { 'X-OpenStack-Request-ID': mine } });
    expect(kept.headers['x-openstack-request-id']).toBe(mine);
    expect(lineFor(mine)).toHaveLength(1);
    for (const malformed of [
      'req-not-a-uuid',
      `req-${'0'.repeat(36)}`,
      'x'.repeat(200),
      'req-0B7D2C4E-1F3A-4B5C-8D9E-0A1B2C3D4E5F',
    ]) {
      const replaced = await server.request('GET', '/v2/p/backups', { headers: { 'X-OpenStack-Request-ID': malformed } });
      expect(replaced.headers['x-openstack-request-id']).toMatch(REQUEST_ID);
      expect(replaced.headers['x-openstack-request-id']).not.toBe(malformed);
    }
  });

  it('gives every request its own id, and logs requests that match no operation', async () => {
    const [a, b] = await Promise.all([server.request('GET', '/healthcheck'), server.request('GET', '/no/such/thing')]);
    expect(a.headers['x-openstack-request-id']).not.toBe(b.headers['x-openstack-request-id']);
    expect(lineFor(b.headers['x-openstack-request-id'])).toEqual([
      expect.objectContaining({ method: 'GET', path: '/no/such/thing', status: 404, msg: 'GET /no/such/thing 404' }),
    ]);
  });

  it('gives the answers of the HTTP layer (a malformed request) an id and a log line too', async () => {
    const { response } = await rawExchange(server.url, 'BREW /v2/p/backups HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(response?.status).toBe(400);
    const requestId = response?.headers['x-openstack-request-id'];
    expect(requestId).toMatch(REQUEST_ID);
    expect(lineFor(requestId)).toEqual([expect.objectContaining({ status: 400 })]);
  });

  it('never writes a token, a password or a body into the log', () => {
    const text = JSON.stringify(log.lines());
    expect(text).not.toContain(SECRET_TOKEN);
    expect(text).not.toContain(SECRET_PASSWORD);
    expect(text).not.toContain('logged-client"'); // the body's client_id (the path has no id here)
  });
});

describe('the server process log', () => {
  const dir = tempDir('freezer-log-');

  it('is JSON lines on stdout: start-up, one line per request at info, shutdown', async () => {
    const server = await startServerProcess({
      FREEZER_API_DATABASE_URL: `sqlite:${dir}/log.sqlite`,
      FREEZER_API_LOG_LEVEL: 'info',
      FREEZER_API_LOG_FORMAT: 'json',
    });
    try {
      const res = await timedExchange(server.url, {
        method: 'GET',
        path: '/v2/p/jobs',
        headers: { 'X-User-Id': 'u', 'X-Auth-Token': SECRET_TOKEN },
        agent: false,
      });
      expect(res.status).toBe(200);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      const lines = server
        .output()
        .split('\n')
        .filter((line) => line !== '');
      const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      // The request's line and the shutdown's may reach the pipe in either order (the log is
      // written asynchronously); each must be there exactly once, after the start-up line.
      const messages = parsed.map((line) => line.msg);
      expect(messages[0]).toMatch(/^freezer-api listening on http:/);
      expect(messages.slice(1)).toHaveLength(2);
      expect(messages.slice(1)).toEqual(
        expect.arrayContaining(['GET /v2/{project_id}/jobs 200', expect.stringMatching(/SIGTERM: draining/)]),
      );
      expect(parsed.find((line) => line.msg === 'GET /v2/{project_id}/jobs 200')).toMatchObject({
        request_id: res.headers['x-openstack-request-id'],
        user_id: 'u',
        project_id: 'p',
      });
      expect(server.output()).not.toContain(SECRET_TOKEN);
    } finally {
      await server.kill();
    }
  }, 30000);

  it('at warn, writes no request lines but still the start-up and shutdown lines', async () => {
    const server = await startServerProcess({
      FREEZER_API_DATABASE_URL: `sqlite:${dir}/quiet.sqlite`,
      FREEZER_API_LOG_LEVEL: 'warn',
      FREEZER_API_LOG_FORMAT: 'json',
    });
    try {
      expect((await timedExchange(server.url, { method: 'GET', path: '/v2/p/jobs', agent: false })).status).toBe(200);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      const messages = server
        .output()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages).toEqual([expect.stringMatching(/listening on/), expect.stringMatching(/draining/)]);
    } finally {
      await server.kill();
    }
  }, 30000);
});
