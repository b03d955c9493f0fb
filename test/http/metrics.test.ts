// GET /metrics scraped over real HTTP and parsed as Prometheus parses it: requests counted by
// operation and status class with their latency, requests in flight, the database pool, the
// process's own metrics; a bearer token when configured; an address of its own when configured.
import http from 'node:http';
import { engineRows, ENGINES } from '../helpers/engines';
import { startTestServer, type TestServer } from '../helpers/http';
import { parseMetrics, valueOf } from '../helpers/prometheus';
import { timedExchange } from '../helpers/timed-http';

const scrape = async (server: TestServer, headers: Record<string, string> = {}) => {
  const res = await server.request('GET', '/metrics', { headers });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
  return parseMetrics(res.text);
};

describe.each(engineRows)('metrics on %s', (_name, engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(() => server.close());

  it('count requests by operation and status class, with a latency histogram', async () => {
    const headers = { 'X-User-Id': 'metrics-user' };
    const before = await scrape(server);
    // The parser names a counter's family without its _total, and its sample with it.
    const counted = (families: typeof before, operation: string, statusClass: string) =>
      valueOf(
        families.get('freezer_api_http_requests'),
        { operation, status_class: statusClass },
        'freezer_api_http_requests_total',
      ) ?? 0;
    for (let i = 0; i < 3; i++) expect((await server.request('GET', '/v2/p/backups', { headers })).status).toBe(200);
    expect((await server.request('GET', '/v2/p/backups/missing', { headers })).status).toBe(404);
    expect((await server.request('GET', '/nothing/here')).status).toBe(404);
    const after = await scrape(server);

    expect(counted(after, 'listBackups', '2xx') - counted(before, 'listBackups', '2xx')).toBe(3);
    expect(counted(after, 'getBackup', '4xx') - counted(before, 'getBackup', '4xx')).toBe(1);
    expect(counted(after, 'none', '4xx') - counted(before, 'none', '4xx')).toBe(1);
    const latency = after.get('freezer_api_http_request_duration_seconds');
    expect(latency?.type).toBe('histogram');
    const listed = { operation: 'listBackups', status_class: '2xx' };
    const count = valueOf(latency, listed, 'freezer_api_http_request_duration_seconds_count')!;
    expect(count).toBeGreaterThanOrEqual(3);
    expect(valueOf(latency, { ...listed, le: '+Inf' }, 'freezer_api_http_request_duration_seconds_bucket')).toBe(count);
    expect(valueOf(latency, { ...listed, le: '0.0005' }, 'freezer_api_http_request_duration_seconds_bucket')).toBeLessThanOrEqual(
      count,
    );
    expect(valueOf(latency, listed, 'freezer_api_http_request_duration_seconds_sum')).toBeGreaterThan(0);
  });

  it('show the requests in flight, the database pool and the process', async () => {
    const metrics = await scrape(server);
    // The scrape itself is in flight while the gauge is read.
    expect(valueOf(metrics.get('freezer_api_http_requests_in_flight'))).toBe(1);
    const pool = metrics.get('freezer_api_db_pool_connections');
    expect(pool?.samples.map((s) => s.labels.state).sort()).toEqual(['creating', 'free', 'pending', 'used']);
    expect(valueOf(pool, { state: 'free' })! + valueOf(pool, { state: 'used' })!).toBeGreaterThan(0);
    for (const name of [
      'freezer_api_process_resident_memory_bytes',
      'freezer_api_process_cpu_seconds',
      'freezer_api_nodejs_heap_size_used_bytes',
      'freezer_api_nodejs_eventloop_lag_seconds',
    ]) {
      expect([name, metrics.has(name)]).toEqual([name, true]);
    }
    expect(valueOf(metrics.get('freezer_api_process_resident_memory_bytes'))).toBeGreaterThan(10e6);
  });
});

describe('metrics behind a bearer token', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(ENGINES[0]!, { metrics: { token: 'scrape-secret' } });
  });
  afterAll(() => server.close());

  it('answer 401 without the token or with another, and the metrics with it', async () => {
    for (const authorization of [undefined, 'Bearer wrong', 'scrape-secret', 'Basic c2NyYXBlLXNlY3JldA==']) {
      const res = await server.request('GET', '/metrics', { headers: authorization ? { Authorization: authorization } : {} });
      expect([authorization, res.status, res.headers['www-authenticate']]).toEqual([
        authorization,
        401,
        'Bearer realm="freezer-api metrics"',
      ]);
    }
    expect((await scrape(server, { Authorization: 'Bearer scrape-secret' })).has('freezer_api_http_requests')).toBe(true);
  });
});

describe('metrics on an address of their own (FREEZER_API_METRICS_LISTEN)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(ENGINES[0]!, { metrics: { listen: { host: '127.0.0.1', port: 0 } } });
  });
  afterAll(() => server.close());

  it('are served there, and not on the API address', async () => {
    expect((await server.request('GET', '/healthcheck')).status).toBe(200);
    const elsewhere = new URL(server.metricsUrl!);
    expect(elsewhere.port).not.toBe(new URL(server.url).port);
    const res = await timedExchange(elsewhere.origin, { method: 'GET', path: '/metrics', agent: false });
    expect(res.status).toBe(200);
    const families = parseMetrics(res.text);
    expect(
      valueOf(families.get('freezer_api_http_requests'), { operation: 'getHealth' }, 'freezer_api_http_requests_total'),
    ).toBe(1);
    const other = await timedExchange(elsewhere.origin, { method: 'GET', path: '/v2/p/backups', agent: false });
    expect([other.status, other.body]).toEqual([
      404,
      { title: 'Not Found', description: 'Only /metrics is served here, not /v2/p/backups.' },
    ]);
    const here = await server.request('GET', '/metrics');
    expect([here.status, (here.body as { description: string }).description]).toEqual([
      404,
      'The metrics are served on another address (FREEZER_API_METRICS_LISTEN).',
    ]);
  });

  it('stop being served when the server stops', async () => {
    const url = server.metricsUrl!;
    await server.close();
    await expect(new Promise((resolve, reject) => http.get(url, resolve).on('error', reject))).rejects.toThrow(/ECONNREFUSED/);
    server = await startTestServer(ENGINES[0]!); // for afterAll
  });
});
