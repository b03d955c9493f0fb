// FREEZER_API_METRICS_LISTEN: /metrics on an address of its own (a port the API's clients cannot
// reach, say), and nothing else there. Answers as GET /metrics does on the API's port.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearerMatches, type Scrape } from '../api/handlers/monitoring';
import { TITLES, type ErrorStatus } from '../errors';
import { SECURITY_HEADERS } from './protocol';
import { assignRequestId } from './request-id';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function serveMetrics(
  listen: { host: string; port: number },
  scrape: Omit<Scrape, 'elsewhere'>,
): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    res.setHeader('X-Content-Type-Options', SECURITY_HEADERS['X-Content-Type-Options']);
    assignRequestId(req, res);
    const path = req.url?.split('?')[0];
    if (path !== '/metrics') return sendError(res, 404, `Only /metrics is served here, not ${path}.`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendError(res, 405, `/metrics answers GET, not ${req.method}.`);
    }
    if (scrape.token !== undefined && !bearerMatches(req.headers.authorization ?? '', scrape.token)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="freezer-api metrics"');
      return sendError(res, 401, 'The metrics need the bearer token the server is configured with.');
    }
    scrape.render().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => sendError(res, 500, `The metrics could not be collected: ${(err as Error).message}`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function sendError(res: http.ServerResponse, status: ErrorStatus, description: string): void {
  const body = JSON.stringify({ title: TITLES[status], description });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
