// Wires configuration, database, spec and app together and listens. Used by main.ts and the tests.
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import type { Knex } from 'knex';
import { createBackend } from './api/backend';
import { createHandlers } from './api/handlers';
import { createApp } from './app';
import type { Config } from './config';
import { openDatabase } from './db/connect';
import { createIdentity } from './identity';

export interface RunningServer {
  url: string;
  db: Knex;
  close(): Promise<void>;
}

export async function startServer(config: Config): Promise<RunningServer> {
  const db = await openDatabase(config.databaseUrl);
  try {
    const api = await createBackend(createHandlers(db, createIdentity(config.auth)));
    const app = createApp(api, config);
    app.on('error', (err: Error) => console.error('freezer-api: request failed:', err));
    const server = http.createServer(app.callback());
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
