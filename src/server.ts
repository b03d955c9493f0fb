// The one place that wires the server together: configuration → database → store → services →
// handlers, spec → dispatcher, identity → auth, rules → policy; then the Koa app, listening. Used by main.ts and
// the tests.
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import type { Knex } from 'knex';
import { createDispatcher } from './api/dispatch';
import { createHandlers } from './api/handlers';
import { createReplyLinks } from './api/links';
import { loadSpec } from './api/spec';
import { createApp } from './app';
import { createAuth } from './auth/caller';
import { createPolicy } from './auth/policy';
import { KeystoneSession } from './auth/keystone';
import { keystoneTrusts } from './auth/trusts';
import type { Config } from './config';
import { openDatabase } from './db/connect';
import { createStore } from './db/store';
import { createCors } from './http/cors';
import { createDrain } from './http/drain';
import { createFailureLog } from './http/failure-log';
import { answerClientError, refusal, SECURITY_HEADERS, sendRefusal, serverOptions } from './http/protocol';
import { assignRequestId, REQUEST_ID_HEADER } from './http/request-id';
import { createRequestLog } from './http/request-log';
import { createLogger, type Logger, type LogOutput } from './log';
import { createMetrics } from './metrics';
import { serveMetrics } from './http/metrics-server';
import { createServices } from './services';

export interface RunningServer {
  url: string;
  db: Knex;
  /** For start-up and shutdown lines (src/log.ts's `lifecycle`). */
  log: Logger;
  /** Where /metrics is served when FREEZER_API_METRICS_LISTEN moves it off the API's address. */
  metricsUrl?: string;
  /**
   * Shuts down as on SIGTERM: stops accepting, lets requests in flight finish for up to the
   * configured drain time, then closes the database pool. Resolves with the requests it had to
   * cut (none after a clean drain). `stoppedListening` is called once new connections are refused.
   */
  close(stoppedListening?: () => void): Promise<string[]>;
}

/** Closing the pool waits for the database to say goodbye; a hung one never does. */
const POOL_CLOSE_MS = 2000;

/** `output`: where the log goes, by default stdout as `config.log` says. */
export async function startServer(config: Config, output: LogOutput = createLogger(config.log)): Promise<RunningServer> {
  const log = output.logger;
  const db = await openDatabase(config.databaseUrl, {
    bounds: config.database,
    waitSeconds: config.database.waitSeconds,
    log: (line) => output.lifecycle.warn(line),
    migrate: config.migrateAtStart,
  });
  try {
    const store = createStore(db, config.database.queryTimeoutMs);
    // keystone mode: one session with Keystone (the service user's token) for tokens and trusts.
    const keystone = config.auth.mode === 'keystone' ? new KeystoneSession(config.auth.keystone) : undefined;
    const trusts = keystone && config.auth.mode === 'keystone' ? keystoneTrusts(keystone, config.auth.trusts, log) : undefined;
    const policy = createPolicy(config.policyRules);
    const server = http.createServer(serverOptions(config.http));
    const drain = createDrain(server);
    const failures = createFailureLog(log);
    const requests = createRequestLog(log);
    const metrics = createMetrics({ db, inFlight: () => drain.inFlight, validations: keystone?.validations });
    const scrape = {
      render: () => metrics.render(),
      token: config.metrics.token,
      elsewhere: config.metrics.listen !== undefined,
    };
    const dispatcher = createDispatcher(await loadSpec());
    // The request id is the server's own header, not a parameter of any operation.
    const cors = createCors(config.corsOrigins, [...dispatcher.requestHeaders, REQUEST_ID_HEADER]);
    const app = createApp({
      dispatcher,
      auth: createAuth(config.auth, config.scope, keystone),
      policy,
      handlers: createHandlers(store, createServices(store, trusts), policy, {
        lifecycle: drain,
        scrape,
        trustProxy: config.trustProxy,
      }),
      bodyLimitBytes: config.bodyLimitBytes,
      failures,
      running: drain.handlers,
      requests,
      metrics,
      links: createReplyLinks(dispatcher.routes, config.trustProxy),
      cors,
    });
    // Koa's handler settles its own promise: it answers every failure itself (src/http/render-errors.ts).
    const handle = app.callback();
    const securityHeaders = Object.entries(SECURITY_HEADERS);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      for (const [name, value] of securityHeaders) res.setHeader(name, value);
      cors?.answer(req, res);
      const requestId = assignRequestId(req, res);
      if (drain.draining) res.setHeader('Connection', 'close');
      const refused = refusal(req);
      if (refused) {
        sendRefusal(res, refused);
        requests.refused(req.method, req.url?.split('?')[0], refused[0], requestId);
      } else void handle(req, res);
    });
    server.on('clientError', answerClientError(config.http, requests));
    const metricsServer = config.metrics.listen && (await serveMetrics(config.metrics.listen, scrape));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, resolve);
      });
    } catch (err) {
      if (metricsServer) await metricsServer.close();
      throw err;
    }
    const { port } = server.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return {
      url: `http://${host}:${port}`,
      db,
      log: output.lifecycle,
      metricsUrl: metricsServer ? metricsServer.url : undefined,
      async close(stoppedListening) {
        const cut = await drain.drain(config.shutdownTimeoutMs, stoppedListening);
        if (metricsServer) await metricsServer.close();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([db.destroy(), new Promise((resolve) => (timer = setTimeout(resolve, POOL_CLOSE_MS)))]);
        clearTimeout(timer);
        failures.flush();
        output.flush();
        return cut;
      },
    };
  } catch (err) {
    await db.destroy();
    throw err;
  }
}
