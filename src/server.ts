// The one place that wires the server together: configuration → database → store → services →
// handlers, spec → dispatcher, identity → auth, rules → policy; then the Koa app, listening. Used by main.ts and
// the tests.
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import type { Knex } from 'knex';
import { createDispatcher } from './api/dispatch';
import { createHandlers } from './api/handlers';
import { loadSpec } from './api/spec';
import { createApp } from './app';
import { createAuth } from './auth/caller';
import { createPolicy } from './auth/policy';
import { KeystoneSession } from './auth/keystone';
import { keystoneTrusts } from './auth/trusts';
import type { Config } from './config';
import { openDatabase } from './db/connect';
import { createStore } from './db/store';
import { createServices } from './services';

export interface RunningServer {
  url: string;
  db: Knex;
  close(): Promise<void>;
}

export async function startServer(config: Config): Promise<RunningServer> {
  const db = await openDatabase(config.databaseUrl);
  try {
    const store = createStore(db);
    // keystone mode: one session with Keystone (the service user's token) for tokens and trusts.
    const keystone = config.auth.mode === 'keystone' ? new KeystoneSession(config.auth.keystone) : undefined;
    const trusts = keystone && config.auth.mode === 'keystone' ? keystoneTrusts(keystone, config.auth.trusts) : undefined;
    const policy = createPolicy(config.policyRules);
    const app = createApp({
      dispatcher: createDispatcher(await loadSpec()),
      auth: createAuth(config.auth, config.scope, keystone),
      policy,
      handlers: createHandlers(store, createServices(store, trusts), policy),
      bodyLimitBytes: config.bodyLimitBytes,
    });
    app.on('error', (err: Error) => console.error('freezer-api: request failed:', err));
    // Koa's handler settles its own promise: it answers every failure itself (renderErrors).
    const handle = app.callback();
    const server = http.createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, resolve);
    });
    const { port } = server.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return {
      url: `http://${host}:${port}`,
      db,
      async close() {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await db.destroy();
      },
    };
  } catch (err) {
    await db.destroy();
    throw err;
  }
}
