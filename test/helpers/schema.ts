// What a database's schema is, read from the engine itself: tables, columns in order, indexes.
import type { Knex } from 'knex';

export interface TableSchema {
  columns: string[];
  primaryKey: string[];
  /** By name, the primary key left out: its columns in order, and whether it is unique. */
  indexes: Record<string, { columns: string[]; unique: boolean }>;
}

/** Every table but knex's own bookkeeping, by name. */
export async function readSchema(db: Knex): Promise<Record<string, TableSchema>> {
  const schema: Record<string, TableSchema> = {};
  for (const table of await tables(db)) {
    schema[table] = {
      columns: await columns(db, table),
      primaryKey: await primaryKey(db, table),
      indexes: await indexes(db, table),
    };
  }
  return schema;
}

const mysql = (db: Knex) => db.client.config.client === 'mysql2';

async function tables(db: Knex): Promise<string[]> {
  const rows: { name: string }[] = mysql(db)
    ? (await db.raw('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()'))[0]
    : await db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'");
  return rows
    .map((r) => r.name)
    .filter((name) => !name.startsWith('knex_'))
    .sort();
}

async function columns(db: Knex, table: string): Promise<string[]> {
  const rows: { name: string }[] = mysql(db)
    ? (
        await db.raw(
          'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
          [table],
        )
      )[0]
    : await db.raw('SELECT name FROM pragma_table_info(?) ORDER BY cid', [table]);
  return rows.map((r) => r.name);
}

async function primaryKey(db: Knex, table: string): Promise<string[]> {
  const rows: { name: string }[] = mysql(db)
    ? (
        await db.raw(
          "SELECT COLUMN_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
          [table],
        )
      )[0]
    : await db.raw('SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk', [table]);
  return rows.map((r) => r.name);
}

async function indexes(db: Knex, table: string): Promise<TableSchema['indexes']> {
  const rows: { name: string; column: string; unique: number }[] = mysql(db)
    ? (
        await db.raw(
          "SELECT INDEX_NAME AS name, COLUMN_NAME AS `column`, 1 - NON_UNIQUE AS `unique` FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME <> 'PRIMARY' ORDER BY INDEX_NAME, SEQ_IN_INDEX",
          [table],
        )
      )[0]
    : await db.raw(
        'SELECT l.name AS name, i.name AS `column`, l."unique" AS `unique` FROM pragma_index_list(?) AS l, pragma_index_info(l.name) AS i WHERE l.origin <> \'pk\' ORDER BY l.name, i.seqno',
        [table],
      );
  const found: TableSchema['indexes'] = {};
  for (const { name, column, unique } of rows)
    (found[name] ??= { columns: [], unique: Number(unique) === 1 }).columns.push(column);
  return found;
}
