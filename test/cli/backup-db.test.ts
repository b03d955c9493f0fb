// `freezer-api backup-db FILE`: a separate process copies the SQLite database of a running server
// while writes keep arriving over HTTP; the copy passes SQLite's integrity check, has every table,
// and holds every write acknowledged before the copy began. MySQL/MariaDB are refused.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import knex, { type Knex } from 'knex';
import { knexConfig } from '../../knexfile';
import { tableNames } from '../../src/db/migrate';
import { expectCannotStart, runCli } from '../helpers/cli';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { tempDir } from '../helpers/temp-dir';

const dir = tempDir('freezer-backup-db-');
const BASE_ENV = { FREEZER_API_DATA_DIR: path.join(dir, 'data') };

/** Enough data that copying it takes more than an instant: 40 backups of ~200 KB each. */
const SEED_BACKUPS = 40;
const SEED_PADDING = 'x'.repeat(200_000);
/**
 * Writers, each pausing between its writes. Paced so that the WAL stays under SQLite's
 * auto-checkpoint (1000 pages) while the copy runs: writes acknowledged before it are then still
 * in the WAL, not yet in the main file, and a copy that read only the main file would miss them.
 */
const WRITERS = 2;
const PAUSE_MS = 40;

interface Ack {
  id: string;
  /** performance.now() when the 201 arrived. */
  at: number;
}

async function createBackup(server: ServerProcess, name: string, padding = ''): Promise<Ack> {
  const response = await fetch(`${server.url}/v2/p1/backups`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ backup_name: name, container: 'c', hostname: 'h', padding }),
  });
  const body = (await response.json()) as { backup_id?: string };
  if (response.status !== 201 || !body.backup_id) throw new Error(`POST ${name}: ${response.status} ${JSON.stringify(body)}`);
  return { id: body.backup_id, at: performance.now() };
}

/** Writers creating backups back to back until `stop()`; every acknowledgement recorded. */
function keepWriting(server: ServerProcess) {
  const acks: Ack[] = [];
  let running = true;
  const loops = Array.from({ length: WRITERS }, async (_, writer) => {
    for (let n = 0; running; n++) {
      acks.push(await createBackup(server, `w${writer}-${n}`));
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
  });
  return {
    acks,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('backup-db on a live SQLite database', () => {
  const live = path.join(dir, 'live.sqlite');
  const copy = path.join(dir, 'copy.sqlite');
  let server: ServerProcess;
  let copied: Knex;

  beforeAll(async () => {
    server = await startServerProcess({ ...BASE_ENV, FREEZER_API_DATABASE_URL: `sqlite:${live}` });
  });

  afterAll(async () => {
    await copied?.destroy();
    await server.kill();
  });

  it('copies it consistently from another process while writes go on', async () => {
    for (let i = 0; i < SEED_BACKUPS; i++) await createBackup(server, `seed-${i}`, SEED_PADDING);
    const writes = keepWriting(server);
    let result: Awaited<ReturnType<typeof runCli>>;
    let began: number;
    let ended: number;
    try {
      await waitFor(() => writes.acks.length >= 20, '20 acknowledged writes');
      began = performance.now();
      result = await runCli(['backup-db', copy, '--database', `sqlite:${live}`], BASE_ENV);
      ended = performance.now();
      // Writes go on after the copy, so nothing about the end of the copy depends on a quiet moment.
      const after = writes.acks.length;
      await waitFor(() => writes.acks.length >= after + 10, '10 more acknowledged writes');
    } finally {
      await writes.stop();
    }
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toMatch(new RegExp(`^backed up ${live} to ${copy}: \\d+ pages, \\d+ bytes, integrity ok\\n$`));
    const acknowledgedBefore = writes.acks.filter((ack) => ack.at < began);
    const acknowledgedDuring = writes.acks.filter((ack) => ack.at >= began && ack.at <= ended);
    console.log(
      `backup-db: ${Math.round(ended - began)} ms; ${acknowledgedBefore.length} writes acknowledged before it, ` +
        `${acknowledgedDuring.length} while it ran`,
    );
    // The server went on acknowledging writes while the copy was made.
    expect(acknowledgedDuring.length).toBeGreaterThan(0);

    // One self-contained file (rollback journal, not WAL: the header's format bytes are 1), no -wal beside it.
    expect([...readFileSync(copy).subarray(18, 20)]).toEqual([1, 1]);
    expect(existsSync(`${copy}-wal`)).toBe(false);
    copied = knex(knexConfig(`sqlite:${copy}`));
    expect(await copied.raw('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    const db = knex(knexConfig(`sqlite:${live}`));
    try {
      expect(await tableNames(copied)).toEqual(await tableNames(db));
    } finally {
      await db.destroy();
    }
    const ids = new Set((await copied('backups').select('backup_id')).map((row: { backup_id: string }) => row.backup_id));
    expect(ids.size).toBeGreaterThanOrEqual(SEED_BACKUPS + acknowledgedBefore.length);
    expect(acknowledgedBefore.filter((ack) => !ids.has(ack.id))).toEqual([]);
  }, 120000);

  it('refuses a file that exists, and leaves it as it was', async () => {
    const existing = path.join(dir, 'existing.sqlite');
    writeFileSync(existing, 'an older backup');
    const result = await runCli(['backup-db', existing, '--database', `sqlite:${live}`], BASE_ENV);
    expectCannotStart(
      result,
      /^freezer-api backup-db: .*existing\.sqlite exists: backup-db writes a new file and overwrites none\n$/,
    );
    expect(readFileSync(existing, 'utf8')).toBe('an older backup');
  });
});

it.each([
  [
    'MySQL/MariaDB',
    process.env.FREEZER_TEST_MYSQL_URL || 'mysql://freezer:secret@127.0.0.1:3306/freezer',
    /^freezer-api backup-db: backup-db copies the embedded SQLite database, and --database \/ FREEZER_API_DATABASE_URL names MySQL\/MariaDB: back that up with mariadb-dump --single-transaction, or mariabackup\n$/,
  ],
  [
    'an in-memory database',
    'sqlite::memory:',
    /^freezer-api backup-db: --database \/ FREEZER_API_DATABASE_URL is sqlite::memory:, .*no file to copy\n$/,
  ],
  [
    'a database file that does not exist',
    `sqlite:${path.join(dir, 'none.sqlite')}`,
    /^freezer-api backup-db: the database .*none\.sqlite \(--database \/ FREEZER_API_DATABASE_URL\) does not exist\n$/,
  ],
])('refuses %s in one line, exit 2', async (_what, url, line) => {
  const target = path.join(dir, 'refused.sqlite');
  expectCannotStart(await runCli(['backup-db', target, '--database', url], BASE_ENV), line);
  expect(existsSync(target)).toBe(false);
});

it('refuses a target directory that does not exist', async () => {
  const target = path.join(dir, 'no-such-dir', 'copy.sqlite');
  const source = path.join(dir, 'source.sqlite');
  expect((await runCli(['migrate', 'latest', '--database', `sqlite:${source}`], BASE_ENV)).status).toBe(0);
  expectCannotStart(
    await runCli(['backup-db', target, '--database', `sqlite:${source}`], BASE_ENV),
    /^freezer-api backup-db: .*no-such-dir, where the copy would go, does not exist\n$/,
  );
});
