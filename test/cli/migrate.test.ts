// `freezer-api migrate` and `serve --no-migrate`, run as processes, on every engine: the database
// they act on is the one the settings name (flag over environment), rollback undoes one batch
// and says which first, --no-migrate refuses a database with pending migrations, and a database
// that cannot be opened is one line, exit 2.
import { existsSync } from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { knexConfig } from '../../knexfile';
import { appliedMigrations, MIGRATION_NAMES, migrateTo, tableNames } from '../../src/db/migrate';
import { expectCannotStart, lines, runCli, STACK_LINE } from '../helpers/cli';
import { engineRows } from '../helpers/engines';
import { databaseForProcess } from '../helpers/process-database';
import { startServerProcess } from '../helpers/server-process';
import { tempDir } from '../helpers/temp-dir';

const [FIRST, ...REST] = MIGRATION_NAMES as [string, ...string[]];
const KNEX_TABLES = ['knex_migrations', 'knex_migrations_lock'];
/** The tables the first migration makes, and those the rest make. */
const FIRST_TABLES = ['backups', 'clients'];
const REST_TABLES = ['actions', 'jobs', 'sessions'];

const dir = tempDir('freezer-cli-migrate-');
/** The environment of every command: the data directory a temporary one, never the repository's. */
const BASE_ENV = { FREEZER_API_DATA_DIR: path.join(dir, 'data') };

describe.each(engineRows)('migrate on %s', (_name, engine) => {
  let database: { url: string; drop(): Promise<void> };
  let db: Knex;

  beforeEach(async () => {
    database = await databaseForProcess(engine);
    db = knex(knexConfig(database.url));
  });

  afterEach(async () => {
    await db.destroy();
    await database.drop();
  });

  /** The command with the database named by --database, and a decoy in the environment it must not touch. */
  const decoy = () => path.join(dir, `decoy-${engine.name}.sqlite`);
  const cli = (...args: string[]) =>
    runCli([...args, '--database', database.url], { ...BASE_ENV, FREEZER_API_DATABASE_URL: `sqlite:${decoy()}` });

  it('status is read-only, latest applies every migration, on the database --database names', async () => {
    const before = await cli('migrate', 'status');
    expect([before.status, before.stderr]).toEqual([0, '']);
    expect(lines(before.stdout)).toEqual([
      'applied: (none)',
      `pending: ${MIGRATION_NAMES.join(', ')}`,
      'migrate rollback would undo: (nothing)',
    ]);
    expect(await tableNames(db)).toEqual([]);

    const latest = await cli('migrate', 'latest');
    expect([latest.status, latest.stderr]).toEqual([0, '']);
    expect(lines(latest.stdout)).toEqual([`applied: ${MIGRATION_NAMES.join(', ')}`]);
    expect(await tableNames(db)).toEqual([...FIRST_TABLES, ...REST_TABLES, ...KNEX_TABLES].sort());
    expect(existsSync(decoy())).toBe(false);

    const again = await cli('migrate');
    expect(lines(again.stdout)).toEqual(['already up to date']);
    const after = await cli('migrate', 'status');
    expect(lines(after.stdout)).toEqual([
      `applied: ${MIGRATION_NAMES.join(', ')}`,
      'pending: (none)',
      `migrate rollback would undo: ${[...MIGRATION_NAMES].reverse().join(', ')} (batch 1)`,
    ]);
  });

  it('reads the database from the environment too, as serve does', async () => {
    const result = await runCli(['migrate', 'latest'], { ...BASE_ENV, FREEZER_API_DATABASE_URL: database.url });
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect((await appliedMigrations(db)).map((m) => m.name)).toEqual(MIGRATION_NAMES);
  });

  it('rollback undoes the last batch only, saying which first; --all undoes the rest', async () => {
    await migrateTo(db, FIRST); // batch 1
    expect(lines((await cli('migrate', 'latest')).stdout)).toEqual([`applied: ${REST.join(', ')}`]); // batch 2
    const newestFirst = [...REST].reverse().join(', ');
    expect(lines((await cli('migrate', 'status')).stdout)).toContain(`migrate rollback would undo: ${newestFirst} (batch 2)`);

    const rollback = await cli('migrate', 'rollback');
    expect([rollback.status, rollback.stderr]).toEqual([0, '']);
    expect(lines(rollback.stdout)).toEqual([
      `rolling back batch 2: ${newestFirst}`,
      `rolled back: ${newestFirst}`,
      `tables dropped: ${REST_TABLES.join(', ')}`,
    ]);
    expect(await appliedMigrations(db)).toEqual([{ name: FIRST, batch: 1 }]);
    expect(await tableNames(db)).toEqual([...FIRST_TABLES, ...KNEX_TABLES].sort());

    expect(lines((await cli('migrate', 'latest')).stdout)).toEqual([`applied: ${REST.join(', ')}`]);
    const all = await cli('migrate', 'rollback', '--all');
    expect([all.status, all.stderr]).toEqual([0, '']);
    const everyOne = [...MIGRATION_NAMES].reverse().join(', ');
    expect(lines(all.stdout)).toEqual([
      `rolling back every migration: ${everyOne}`,
      `rolled back: ${everyOne}`,
      `tables dropped: ${[...FIRST_TABLES, ...REST_TABLES].sort().join(', ')}`,
    ]);
    expect(await tableNames(db)).toEqual(KNEX_TABLES);
    expect(lines((await cli('migrate', 'rollback')).stdout)).toEqual(['nothing to roll back']);
    expect(existsSync(decoy())).toBe(false);
  });

  it('serve --no-migrate (or FREEZER_API_NO_MIGRATE=1) refuses pending migrations in one line, touching nothing', async () => {
    const pendingLine = (names: string[]) =>
      new RegExp(
        `^freezer-api: cannot start: the database has ${names.length} pending migrations: ${names.join(', ')}, ` +
          'and migrating at start is off \\(--no-migrate / FREEZER_API_NO_MIGRATE\\): run `freezer-api migrate latest` first\\n$',
      );
    expectCannotStart(await cli('serve', '--no-migrate', '--port', '0'), pendingLine(MIGRATION_NAMES));
    expect(await tableNames(db)).toEqual([]);
    await migrateTo(db, FIRST);
    const env = { ...BASE_ENV, FREEZER_API_DATABASE_URL: database.url, FREEZER_API_NO_MIGRATE: '1' };
    expectCannotStart(await runCli(['--port', '0'], env), pendingLine(REST));
    expect(await appliedMigrations(db)).toEqual([{ name: FIRST, batch: 1 }]);
  });

  it('serve --no-migrate serves a database migrated beforehand', async () => {
    expect((await cli('migrate', 'latest')).status).toBe(0);
    const server = await startServerProcess({ ...BASE_ENV, FREEZER_API_DATABASE_URL: database.url, FREEZER_API_NO_MIGRATE: '1' });
    try {
      expect(server.output()).toMatch(/listening on .*migrations at start off/);
      const created = await fetch(`${server.url}/v2/p1/backups`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ backup_name: 'b', container: 'c', hostname: 'h' }),
      });
      expect(created.status).toBe(201);
    } finally {
      await server.kill();
    }
  });

  it('a database that cannot be opened is one line naming the setting, exit 2, for serve and migrate', async () => {
    // MySQL/MariaDB: the wrong password; SQLite: a file whose directory cannot be made.
    const url =
      engine.name === 'sqlite' ? `sqlite:${path.join(__filename, 'x', 'db.sqlite')}` : withPassword(database.url, 'wrong');
    const cause =
      engine.name === 'sqlite'
        ? 'ENOTDIR'
        : "ER_ACCESS_DENIED_ERROR: Access denied for user '[^']+'@'[^']+' \\(using password: YES\\)";
    const shown = engine.name === 'sqlite' ? url : withPassword(database.url, '***');
    const line = (prefix: string) =>
      new RegExp(
        `^${prefix}: cannot open the database ${escape(shown)}: ${cause}.* \\(--database / FREEZER_API_DATABASE_URL\\)\\n$`,
      );
    const env = { ...BASE_ENV, FREEZER_API_DATABASE_URL: url };
    const [serve, migrate] = await Promise.all([runCli(['--port', '0'], env), runCli(['migrate', 'status'], env)]);
    expectCannotStart(serve, line('freezer-api: cannot start'));
    expectCannotStart(migrate, line('freezer-api migrate'));
    expect(serve.stderr + migrate.stderr).not.toContain(':wrong@');
  });
});

it('an unreachable MySQL/MariaDB is one line, exit 2, no stack', async () => {
  const url = 'mysql://freezer:secret@127.0.0.1:1/freezer';
  const result = await runCli(['--port', '0', '--database', url], BASE_ENV);
  expectCannotStart(
    result,
    /^freezer-api: cannot start: cannot open the database mysql:\/\/freezer:\*\*\*@127\.0\.0\.1:1\/freezer: connect ECONNREFUSED 127\.0\.0\.1:1 \(--database \/ FREEZER_API_DATABASE_URL\)\n$/,
  );
  expect(result.stderr).not.toMatch(STACK_LINE);
});

function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
