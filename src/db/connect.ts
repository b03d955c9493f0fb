// Opens the configured database, waiting for it when asked to, and brings its schema up to date.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { knexConfig, redactDatabaseUrl } from '../../knexfile';
import { DEFAULT_BOUNDS, type DatabaseBounds } from './bounds';
import { clientOf } from './client';
import { describeFailure } from './errors';
import { migrateToLatest, pendingMigrations } from './migrate';

export interface OpenOptions {
  bounds?: DatabaseBounds;
  /** Keep trying a database that does not answer yet for this long (containers start together). */
  waitSeconds?: number;
  /** Where the line about each failed attempt goes. */
  log?: (line: string) => void;
  /** Bring the schema up to date (the default); false: refuse a database with pending migrations. */
  migrate?: boolean;
}

/** The database could not be opened or answer (unreachable, refused, wrong password, no such file). */
export class DatabaseOpenError extends Error {
  constructor(databaseUrl: string, cause: unknown) {
    super(`${redactDatabaseUrl(databaseUrl)}: ${describeFailure(cause)}`, { cause });
  }
}

/** Migrations at start were turned off, and this build has migrations the database has not run. */
export class PendingMigrationsError extends Error {
  constructor(readonly pending: string[]) {
    super(`the database has ${pending.length} pending migration${pending.length === 1 ? '' : 's'}: ${pending.join(', ')}`);
  }
}

/**
 * The pool the server serves from, with the time bounds. On MySQL/MariaDB the migrations run
 * first on a pool of their own without them: rebuilding a large table may take minutes.
 */
export async function openDatabase(databaseUrl: string, options: OpenOptions = {}): Promise<Knex> {
  const config = knexConfig(databaseUrl, options.bounds ?? DEFAULT_BOUNDS);
  const db = await connect(databaseUrl, config, options);
  try {
    const log = options.log ?? console.error;
    if (options.migrate === false) {
      await refusePending(db);
    } else if (config.client === 'mysql2') {
      const migrator = knex(knexConfig(databaseUrl));
      try {
        await migrateBesideOthers(migrator, log);
      } finally {
        await migrator.destroy();
      }
    } else {
      // SQLite bounds only the wait for another process's lock; `:memory:` is one connection's.
      await migrateBesideOthers(db, log);
    }
    return db;
  } catch (err) {
    await db.destroy();
    throw err;
  }
}

/**
 * A pool without time bounds for the migration command (rebuilding a large table may take
 * minutes), once the database answers: waiting for it as the server does at start.
 */
export function openForMigrations(databaseUrl: string, options: Omit<OpenOptions, 'bounds' | 'migrate'> = {}): Promise<Knex> {
  return connect(databaseUrl, knexConfig(databaseUrl), options);
}

/** Brings the schema up to date, waiting for another process that is migrating it. */
export const migrateDatabase = (db: Knex, log: (line: string) => void = console.error) => migrateBesideOthers(db, log);

/** A pool on the database once it answers (SQLite's directory made first); DatabaseOpenError if it never does. */
async function connect(databaseUrl: string, config: Knex.Config, options: OpenOptions): Promise<Knex> {
  const filename = (config.connection as { filename?: string }).filename;
  try {
    if (filename && filename !== ':memory:') mkdirSync(path.dirname(filename), { recursive: true });
  } catch (err) {
    throw new DatabaseOpenError(databaseUrl, err);
  }
  const db = knex(config);
  if (config.client === 'better-sqlite3') yieldBetweenStatements(db);
  try {
    await reachable(db, options);
    return db;
  } catch (err) {
    await db.destroy();
    throw new DatabaseOpenError(databaseUrl, err);
  }
}

async function refusePending(db: Knex): Promise<void> {
  const pending = await pendingMigrations(db);
  if (pending.length > 0) throw new PendingMigrationsError(pending);
}

/**
 * better-sqlite3 runs each statement synchronously, and Knex's pool hands its one connection to
 * the next waiting request through promise callbacks: a queue of requests would run back to back
 * without the event loop accepting connections, reading sockets or handling signals (a SIGTERM
 * waited for the whole queue, and connections it never accepted were reset). After
 * YIELD_EVERY_MS of that, the connection is handed on a turn of the loop later.
 */
function yieldBetweenStatements(db: Knex): void {
  const client = clientOf(db);
  const release = client.releaseConnection.bind(client);
  let lastTurn = Date.now();
  client.releaseConnection = (connection) => {
    if (Date.now() - lastTurn < YIELD_EVERY_MS) return release(connection);
    return new Promise((resolve) => setImmediate(resolve)).then(() => {
      lastTurn = Date.now();
      return release(connection);
    });
  };
}

const YIELD_EVERY_MS = 10;

/** How long to wait for another process's migrations (which hold Knex's lock while they run). */
const MIGRATION_WAIT_MS = 10 * 60 * 1000;

/**
 * Knex lets one process migrate at a time: the others fail on its lock, or on creating its
 * tables at the same moment. Instances started together (a rollout) wait for the one migrating.
 */
async function migrateBesideOthers(db: Knex, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + MIGRATION_WAIT_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await migrateToLatest(db);
      return;
    } catch (err) {
      const message = (err as Error).message ?? '';
      const anotherMigrating = /Migration table is already locked|knex_migrations(_lock)?\W* already exists/i.test(message);
      if (!anotherMigrating || Date.now() >= deadline) throw err;
      await dropDuplicateLockRows(db);
      if (attempt === 1 || attempt % 20 === 0) {
        log(
          'freezer-api: another process is migrating the database; waiting for it ' +
            '(if none is, a crashed migration left its lock: see knex_migrations_lock)',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250 + Math.random() * 250));
    }
  }
}

/**
 * Two processes creating Knex's lock table at once can each insert its one row; with two rows
 * nobody can ever take the lock (Knex wants exactly one row updated), so every start would wait
 * forever. While there are several, none is locked, and all but the first can go.
 */
async function dropDuplicateLockRows(db: Knex): Promise<void> {
  if (!(await db.schema.hasTable(MIGRATION_LOCK_TABLE))) return;
  const rows = await db<{ index: number; is_locked: number }>(MIGRATION_LOCK_TABLE).select('index', 'is_locked');
  if (rows.length < 2 || rows.some((row) => row.is_locked)) return;
  await db(MIGRATION_LOCK_TABLE)
    .where('index', '>', Math.min(...rows.map((row) => row.index)))
    .del();
}

const MIGRATION_LOCK_TABLE = 'knex_migrations_lock';

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
