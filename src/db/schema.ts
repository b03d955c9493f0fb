// Table options shared by every migration.
import type { Knex } from 'knex';
import { isMysql } from './client';

/**
 * Ids and searched values must compare byte for byte on every engine, as they do on SQLite.
 * MySQL's default collations ignore case and MariaDB's `_bin` ones ignore trailing spaces, so
 * there tables get a binary no-pad collation. Returns the option-setter to call in `createTable`.
 */
export async function exactMatchTables(knex: Knex): Promise<(t: Knex.CreateTableBuilder) => void> {
  if (!isMysql(knex)) return () => {};
  const result: unknown = await knex.raw(
    "SELECT COLLATION_NAME AS name FROM information_schema.COLLATIONS WHERE COLLATION_NAME IN ('utf8mb4_nopad_bin', 'utf8mb4_0900_bin')",
  );
  const [rows] = result as [{ name: string }[]];
  const names = rows.map((r) => r.name);
  const collation = names.includes('utf8mb4_nopad_bin')
    ? 'utf8mb4_nopad_bin' // MariaDB
    : names.includes('utf8mb4_0900_bin')
      ? 'utf8mb4_0900_bin' // MySQL 8
      : 'utf8mb4_bin';
  return (t) => {
    t.engine('InnoDB');
    t.charset('utf8mb4');
    t.collate(collation);
  };
}
