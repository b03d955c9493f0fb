// `freezer-api backup-db FILE`: a consistent copy of the live SQLite database, made with SQLite's
// online backup while servers keep writing to it. MariaDB/MySQL have their own tools.
import { existsSync, linkSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { knexConfig } from '../../knexfile';
import { ConfigError, type Config } from '../config';
import type { Print } from './migrate';

/**
 * Pages per backup step after the first. SQLite starts a backup again whenever another
 * connection writes between two steps, so small steps under steady writes might never finish;
 * one step copies everything under one read transaction, which in WAL mode holds up no writer.
 */
const EVERY_PAGE = 0x7fffffff;

const DATABASE_SETTING = '--database / FREEZER_API_DATABASE_URL';

export async function backupDb(file: string, config: Config, print: Print): Promise<void> {
  const source = sqliteFile(config.databaseUrl);
  const target = path.resolve(file);
  refuseTarget(target);
  // Written beside the target and linked into place once whole and checked: a copy cut short
  // (a crash, a full disk) never sits under the name a restore would pick.
  const partial = `${target}.${process.pid}.partial`;
  try {
    const pages = await copyPages(source, partial, config.database.queryTimeoutMs);
    seal(partial);
    publish(partial, target);
    print(`backed up ${source} to ${target}: ${pages} pages, ${statSync(target).size} bytes, integrity ok`);
  } finally {
    for (const leftover of [partial, `${partial}-wal`, `${partial}-shm`]) rmSync(leftover, { force: true });
  }
}

/** The live database's file; refusals name the setting that chose the database. */
function sqliteFile(databaseUrl: string): string {
  const config = knexConfig(databaseUrl);
  if (config.client !== 'better-sqlite3') {
    throw new ConfigError(
      `backup-db copies the embedded SQLite database, and ${DATABASE_SETTING} names MySQL/MariaDB: ` +
        'back that up with mariadb-dump --single-transaction, or mariabackup',
    );
  }
  const { filename } = config.connection as { filename: string };
  if (filename === ':memory:') {
    throw new ConfigError(`${DATABASE_SETTING} is sqlite::memory:, which lives inside one process: there is no file to copy`);
  }
  if (!existsSync(filename)) throw new ConfigError(`the database ${filename} (${DATABASE_SETTING}) does not exist`);
  return filename;
}

function refuseTarget(target: string): void {
  if (existsSync(target)) throw new ConfigError(`${target} exists: backup-db writes a new file and overwrites none`);
  const dir = path.dirname(target);
  if (!existsSync(dir)) throw new ConfigError(`${dir}, where the copy would go, does not exist`);
}

async function copyPages(source: string, destination: string, lockTimeoutMs: number): Promise<number> {
  const db = new Database(source, { fileMustExist: true, timeout: lockTimeoutMs });
  try {
    const { totalPages } = await db.backup(destination, { progress: () => EVERY_PAGE });
    return totalPages;
  } finally {
    db.close();
  }
}

/**
 * The copy is in WAL mode like its source; in rollback-journal mode it is one self-contained
 * file, whatever copies it next. Then SQLite checks every page and index of it.
 */
function seal(file: string): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('journal_mode = DELETE');
    const verdict = db.pragma('integrity_check', { simple: true });
    if (verdict !== 'ok') throw new Error(`the copy failed SQLite's integrity check: ${String(verdict)}`);
  } finally {
    db.close();
  }
}

/** Moves the finished copy to its name, never over a file that appeared there meanwhile. */
function publish(partial: string, target: string): void {
  try {
    linkSync(partial, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ConfigError(`${target} appeared while the copy was made; it is left as it was`);
    // Some filesystems have no hard links; a rename is as atomic, just not exclusive.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    renameSync(partial, target);
  }
}
