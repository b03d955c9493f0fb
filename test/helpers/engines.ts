// The database engines every storage-touching suite runs on: SQLite always, MySQL/MariaDB when
// FREEZER_TEST_MYSQL_URL names a database the tests may create sibling databases next to.
import knex from 'knex';
import { randomBytes } from 'node:crypto';
import { knexConfig } from '../../knexfile';

export interface Engine {
  name: string;
  /** A fresh, empty database for one test file, and how to throw it away. */
  create(): Promise<{ url: string; drop(): Promise<void> }>;
}

const sqlite: Engine = {
  name: 'sqlite',
  create: () => Promise.resolve({ url: 'sqlite::memory:', drop: () => Promise.resolve() }),
};

function mysql(baseUrl: string): Engine {
  return {
    name: 'mysql',
    async create() {
      const url = new URL(baseUrl);
      const name = `${url.pathname.slice(1)}_${randomBytes(4).toString('hex')}`;
      const admin = knex(knexConfig(baseUrl));
      await admin.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4', [name]);
      await admin.destroy();
      url.pathname = `/${name}`;
      return {
        url: url.toString(),
        async drop() {
          const db = knex(knexConfig(baseUrl));
          await db.raw('DROP DATABASE IF EXISTS ??', [name]);
          await db.destroy();
        },
      };
    },
  };
}

// CI must prove the MySQL path too; a missing URL there is a broken setup, not a reason to skip.
if (process.env.CI && !process.env.FREEZER_TEST_MYSQL_URL) {
  throw new Error('CI is set but FREEZER_TEST_MYSQL_URL is not: the MySQL suites would not run');
}

export const ENGINES: Engine[] = process.env.FREEZER_TEST_MYSQL_URL
  ? [sqlite, mysql(process.env.FREEZER_TEST_MYSQL_URL)]
  : [sqlite];

/** For `describe.each`: one row per engine, named. */
export const engineRows = ENGINES.map((engine) => [engine.name, engine] as const);
