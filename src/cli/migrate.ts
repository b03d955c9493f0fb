// `freezer-api migrate latest|status|rollback [--all]`: the migrations the server runs at start,
// by hand, on the database the same settings name (flags, environment, defaults).
import type { Knex } from 'knex';
import type { Config } from '../config';
import { migrateDatabase, openForMigrations } from '../db/connect';
import {
  appliedMigrations,
  lastBatch,
  MIGRATION_NAMES,
  pendingMigrations,
  rollbackAll,
  rollbackLastBatch,
  tableNames,
} from '../db/migrate';
import type { MigrateAction } from './command-line';

/** Where the command's lines go (stdout); the waiting notes go to stderr. */
export type Print = (line: string) => void;

export async function migrate(action: MigrateAction, all: boolean, config: Config, print: Print): Promise<void> {
  const db = await openForMigrations(config.databaseUrl, { waitSeconds: config.database.waitSeconds });
  try {
    if (action === 'latest') await latest(db, print);
    else if (action === 'status') await status(db, print);
    else await rollback(db, all, print);
  } finally {
    await db.destroy();
  }
}

async function latest(db: Knex, print: Print): Promise<void> {
  const before = new Set((await appliedMigrations(db)).map((m) => m.name));
  await migrateDatabase(db);
  const applied = (await appliedMigrations(db)).filter((m) => !before.has(m.name));
  print(applied.length ? `applied: ${names(applied)}` : 'already up to date');
}

/** Read only: a fresh database gets no tables from it. */
async function status(db: Knex, print: Print): Promise<void> {
  const applied = await appliedMigrations(db);
  const unknown = applied.filter((m) => !MIGRATION_NAMES.includes(m.name));
  print(`applied: ${names(applied) || '(none)'}`);
  print(`pending: ${(await pendingMigrations(db)).join(', ') || '(none)'}`);
  // A newer release migrated this database; this one can neither apply nor undo those.
  if (unknown.length > 0) print(`applied by a newer release, unknown to this one: ${names(unknown)}`);
  const batch = await lastBatch(db);
  print(`migrate rollback would undo: ${batch.length ? `${names(batch)} (batch ${batch[0]!.batch})` : '(nothing)'}`);
}

/** Says what it is about to undo before it does, then what it undid and which tables are gone. */
async function rollback(db: Knex, all: boolean, print: Print): Promise<void> {
  const undo = all ? (await appliedMigrations(db)).reverse() : await lastBatch(db);
  if (undo.length === 0) {
    print('nothing to roll back');
    return;
  }
  const what = all ? 'every migration' : `batch ${undo[0]!.batch}`;
  print(`rolling back ${what}: ${names(undo)}`);
  const tablesBefore = await tableNames(db);
  const [, undone] = (await (all ? rollbackAll(db) : rollbackLastBatch(db))) as [number, string[]];
  const tablesAfter = new Set(await tableNames(db));
  const dropped = tablesBefore.filter((table) => !tablesAfter.has(table));
  print(`rolled back: ${undone.join(', ')}`);
  print(`tables dropped: ${dropped.join(', ') || '(none)'}`);
}

const names = (migrations: { name: string }[]) => migrations.map((m) => m.name).join(', ');
