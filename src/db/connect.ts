// Opens the configured database, waiting for it when asked to, and brings its schema up to date.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { knexConfig } from '../../knexfile';
import { DEFAULT_BOUNDS, type DatabaseBounds } from './bounds';
import { describeFailure } from './errors';
import { migrateToLatest } from './migrate';

export interface OpenOptions {
  bounds?: DatabaseBounds;
  /** Keep trying a database that does not answer yet for this long (containers start together). */
  waitSeconds?: number;
  /** Where the line about each failed attempt goes. */
  log?: (line: string) => void;
}

/**
 * The pool the server serves from, with the time bounds. On MySQL/MariaDB the migrations run
 * first on a pool of their own without them: rebuilding a large table may take minutes.
 */
export async function openDatabase(databaseUrl: string, options: OpenOptions = {}): Promise<Knex> {
  const config = knexConfig(databaseUrl, options.bounds ?? DEFAULT_BOUNDS);
  const filename = (config.connection as { filename?: string }).filename;
  if (filename && filename !== ':memory:') mkdirSync(path.dirname(filename), { recursive: true });
  const db = knex(config);
  try {
    await reachable(db, options);
    if (config.client === 'mysql2') {
      const migrator = knex(knexConfig(databaseUrl));
      try {
        await migrateToLatest(migrator);
      } finally {
        await migrator.destroy();
      }
    } else {
      // SQLite bounds only the wait for another process's lock; `:memory:` is one connection's.
      await migrateToLatest(db);
    }
    return db;
  } catch (err) {
    await db.destroy();
    throw err;
  }
}

/** Resolves once the database answers; with `waitSeconds`, retries with backoff until then. */
async function reachable(db: Knex, { waitSeconds = 0, log = console.error }: OpenOptions): Promise<void> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      await db.raw('SELECT 1');
      return;
    } catch (err) {
      const left = deadline - Date.now();
      if (left <= 0) throw err;
      const delay = Math.min(500 * 2 ** (attempt - 1), 5000, left);
      log(
        `freezer-api: database not reachable (attempt ${attempt}: ${describeFailure(err)}); ` +
          `trying again in ${(delay / 1000).toFixed(1)} s, ${Math.ceil(left / 1000)} s left`,
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
