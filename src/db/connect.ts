// Opens the configured database and brings its schema up to date.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { knexConfig } from '../../knexfile';
import { migrateToLatest } from './migrate';

export async function openDatabase(databaseUrl: string): Promise<Knex> {
  const config = knexConfig(databaseUrl);
  const filename = (config.connection as { filename?: string }).filename;
  if (filename && filename !== ':memory:') mkdirSync(path.dirname(filename), { recursive: true });
  const db = knex(config);
  if (config.client === 'better-sqlite3') {
    // WAL lets readers proceed during a write; foreign keys are off by default in SQLite.
    await db.raw('PRAGMA journal_mode = WAL');
    await db.raw('PRAGMA foreign_keys = ON');
  }
  await migrateToLatest(db);
  return db;
}
