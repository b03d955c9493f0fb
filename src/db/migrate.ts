// Runs the migrations compiled into the app (not read from a folder), so tsx, Jest and dist agree.
import type { Knex } from 'knex';
import * as backupsAndClients from './migrations/20261128000000_backups_and_clients';
import * as jobsActionsSessions from './migrations/20261128010000_jobs_actions_sessions';
import * as searchIndexes from './migrations/20261128020000_search_indexes';
import * as projectScope from './migrations/20261202000000_project_scope';
import * as jobTrusts from './migrations/20261202100000_job_trusts';

const MIGRATIONS: Record<string, Knex.Migration> = {
  '20261128000000_backups_and_clients': backupsAndClients,
  '20261128010000_jobs_actions_sessions': jobsActionsSessions,
  '20261128020000_search_indexes': searchIndexes,
  '20261202000000_project_scope': projectScope,
  '20261202100000_job_trusts': jobTrusts,
};

const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: () => Promise.resolve(Object.keys(MIGRATIONS).sort()),
  getMigrationName: (name) => name,
  getMigration: (name) => Promise.resolve(MIGRATIONS[name]!),
};

export const migrateToLatest = (db: Knex) => db.migrate.latest({ migrationSource });
export const rollbackAll = (db: Knex) => db.migrate.rollback({ migrationSource }, true);
export const migrationStatus = (db: Knex) => db.migrate.list({ migrationSource });

/** The migrations' names in the order they run. */
export const MIGRATION_NAMES = Object.keys(MIGRATIONS).sort();

/** Knex's record of the migrations that have run. */
const MIGRATIONS_TABLE = 'knex_migrations';

/**
 * The migrations this version needs that have not run, by reading Knex's table only (unlike
 * `migrate.list`, which would create it): all of them when it does not exist yet.
 */
export async function pendingMigrations(db: Knex): Promise<string[]> {
  if (!(await db.schema.hasTable(MIGRATIONS_TABLE))) return MIGRATION_NAMES;
  const ran = new Set((await db(MIGRATIONS_TABLE).select('name')).map((row: { name: string }) => row.name));
  return MIGRATION_NAMES.filter((name) => !ran.has(name));
}
/** Runs the pending migrations up to and including `name`, and none after it. */
export const migrateTo = (db: Knex, name: string) => db.migrate.to({ migrationSource, name });
/** Undoes the one migration `name`, which must have run (undo the latest first). */
export const rollbackMigration = (db: Knex, name: string) => db.migrate.down({ migrationSource, name });
