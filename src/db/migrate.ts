// Runs the migrations compiled into the app (not read from a folder), so tsx, Jest and dist agree.
import type { Knex } from 'knex';
import { isMysql } from './client';
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

/** The migrations' names in the order they run. */
export const MIGRATION_NAMES = Object.keys(MIGRATIONS).sort();

const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: () => Promise.resolve([...MIGRATION_NAMES]),
  getMigrationName: (name) => name,
  getMigration: (name) => Promise.resolve(MIGRATIONS[name]!),
};

export const migrateToLatest = (db: Knex) => db.migrate.latest({ migrationSource });
export const rollbackAll = (db: Knex) => db.migrate.rollback({ migrationSource }, true);
/** Undoes the last batch: the migrations one `latest` applied together. */
export const rollbackLastBatch = (db: Knex) => db.migrate.rollback({ migrationSource }, false);
export const migrationStatus = (db: Knex) => db.migrate.list({ migrationSource });

/** Knex's record of the migrations run, one row each with the batch that ran it. */
const MIGRATIONS_TABLE = 'knex_migrations';

export interface AppliedMigration {
  name: string;
  batch: number;
}

/** The migrations the database has run, oldest first; none (and nothing created) on a fresh one. */
export async function appliedMigrations(db: Knex): Promise<AppliedMigration[]> {
  if (!(await db.schema.hasTable(MIGRATIONS_TABLE))) return [];
  return db<AppliedMigration>(MIGRATIONS_TABLE).select('name', 'batch').orderBy('id');
}

/**
 * This build's migrations the database has not run, read without writing (Knex's own list
 * creates its tables). Migrations the database has and this build lacks are not pending: a newer
 * release migrated it, and an older one may still serve it during a rollout.
 */
export async function pendingMigrations(db: Knex): Promise<string[]> {
  const applied = new Set((await appliedMigrations(db)).map((m) => m.name));
  return MIGRATION_NAMES.filter((name) => !applied.has(name));
}

/** The migrations a rollback of the last batch undoes, newest first (as it undoes them). */
export async function lastBatch(db: Knex): Promise<AppliedMigration[]> {
  const applied = await appliedMigrations(db);
  const batch = Math.max(0, ...applied.map((m) => m.batch));
  return applied.filter((m) => m.batch === batch).reverse();
}

/** The tables in the database, to say which a rollback dropped. */
export async function tableNames(db: Knex): Promise<string[]> {
  const rows: { name: string }[] = isMysql(db)
    ? await db<{ name: string }>('information_schema.tables')
        .select({ name: 'table_name' })
        .where('table_schema', db.raw('DATABASE()'))
    : await db<{ name: string }>('sqlite_master').select('name').where('type', 'table').andWhereNot('name', 'like', 'sqlite_%');
  return rows.map((row) => row.name).sort();
}

/** Runs the pending migrations up to and including `name`, and none after it. */
export const migrateTo = (db: Knex, name: string) => db.migrate.to({ migrationSource, name });
/** Undoes the one migration `name`, which must have run (undo the latest first). */
export const rollbackMigration = (db: Knex, name: string) => db.migrate.down({ migrationSource, name });
