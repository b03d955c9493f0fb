// A MariaDB server of the test's own, for suites that kill, restart, freeze and thaw the database
// under a running freezer-api: its own data directory in a temp dir, its own port and socket, its
// own user and database. The shared server on 3306 is never touched. Small (32 MB buffer pool, no
// performance_schema); installing and starting take about a second. It fails, never skips, when
// mariadbd cannot start: CI installs it, and these suites are the only proof of fault handling.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { knexConfig } from '../../knexfile';

const MARIADBD = '/usr/sbin/mariadbd';
const USER = 'freezer';
const PASSWORD = 'freezer-private';
const DATABASE = 'freezer';
const QUIET = { warn() {}, error() {}, debug() {}, deprecate() {} };

export interface PrivateMariaDb {
  /** Its TCP port on 127.0.0.1 (the same across restarts). */
  readonly port: number;
  /** `mysql://freezer:…@127.0.0.1:<port>/freezer`, for FREEZER_API_DATABASE_URL. */
  readonly url: string;
  /** Whether mariadbd is running now, frozen by SIGSTOP, or not running. */
  readonly state: 'running' | 'paused' | 'down';
  /** Installs the data directory and creates the user and database (first call), then starts and waits until it answers. */
  start(): Promise<void>;
  /** SIGKILL: a crash, nothing flushed beyond what InnoDB already made durable. Resolves once it has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same data directory and port (stopping it first if it still runs). */
  restart(): Promise<void>;
  /**
   * SIGSTOP: the process hangs; the kernel still accepts TCP connections that it never answers.
   * Resolves once every thread has stopped (a thread running at the signal answers a moment longer).
   */
  pause(): Promise<void>;
  /** SIGCONT after pause(). */
  resume(): void;
  /** SIGTERM, a clean shutdown; resolves once it has exited. */
  stop(): Promise<void>;
  /** Its error log so far (for failure messages). */
  log(): string;
  /** Runs one statement as root over its socket (a server setting such as read_only). */
  asRoot(sql: string): Promise<void>;
  /** Resumes if paused, kills it, removes its directory. */
  remove(): Promise<void>;
}

/**
 * A private MariaDB for the enclosing describe block, removed in afterAll however the tests ended
 * (and when the test process exits, as a last resort). Call `start()` in beforeAll or in a test.
 */
export function privateMariaDbFor(): PrivateMariaDb {
  let instance: PrivateMariaDb | undefined;
  let made: Promise<PrivateMariaDb> | undefined;
  const ready = () => (made ??= createPrivateMariaDb().then((db) => (instance = db)));
  afterAll(async () => {
    await (await made)?.remove();
  });
  const started = () => {
    if (!instance) throw new Error('the private MariaDB is not set up yet: await start() first');
    return instance;
  };
  return {
    get port() {
      return started().port;
    },
    get url() {
      return started().url;
    },
    get state() {
      return instance?.state ?? 'down';
    },
    start: async () => (await ready()).start(),
    kill: () => started().kill(),
    restart: () => started().restart(),
    pause: () => started().pause(),
    resume: () => started().resume(),
    stop: () => started().stop(),
    log: () => instance?.log() ?? '',
    asRoot: (sql) => started().asRoot(sql),
    remove: async () => (await made)?.remove(),
  };
}

/** Picks a port and a directory; nothing runs until `start()`. */
export async function createPrivateMariaDb(): Promise<PrivateMariaDb> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freezer-mariadb-'));
  const dataDir = path.join(dir, 'data');
  const socket = path.join(dir, 'mysqld.sock');
  const errorLog = path.join(dir, 'error.log');
  const port = await freePort();
  const osUser = os.userInfo().username;
  // The same small-server settings for installing and for running.
  const serverOptions = [
    '--no-defaults', // never read /etc/mysql: that is the shared server's configuration
    `--datadir=${dataDir}`,
    `--user=${osUser}`,
    '--skip-performance-schema',
    '--innodb-buffer-pool-size=32M',
    '--innodb-log-file-size=8M',
    '--innodb-log-buffer-size=1M',
    '--key-buffer-size=1M',
    '--aria-pagecache-buffer-size=1M',
    '--max-connections=100',
  ];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let state: PrivateMariaDb['state'] = 'down';
  let installed = false;
  // If the test process ends without afterAll (a crash, process.exit), take mariadbd with it.
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const run = async () => {
    if (!installed) {
      await command('mariadb-install-db', [...serverOptions, '--auth-root-authentication-method=normal', '--skip-test-db'], dir);
    }
    const proc = spawn(
      MARIADBD,
      [
        ...serverOptions,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--socket=${socket}`,
        `--pid-file=${path.join(dir, 'mysqld.pid')}`,
        `--log-error=${errorLog}`,
        '--skip-name-resolve',
        // After a SIGKILL the port is free at once, but give it a moment should a client's socket hold it.
        '--port-open-timeout=10',
      ],
      { stdio: 'ignore' },
    );
    child = proc;
    let gone = false;
    exited = new Promise<void>((resolve) =>
      proc.once('exit', () => {
        gone = true;
        resolve();
      }),
    );
    proc.once('error', () => (gone = true));
    const admin = knex({
      ...knexConfig(`mysql://root@localhost/mysql?socketPath=${encodeURIComponent(socket)}`),
      log: QUIET, // "connect ECONNREFUSED" while it starts is expected
    });
    try {
      const deadline = Date.now() + 30000;
      for (;;) {
        if (gone) throw new Error(`mariadbd exited while starting:\n${readLog()}`);
        try {
          await admin.raw('SELECT 1');
          break;
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`mariadbd did not answer within 30 s (${String(err)}):\n${readLog()}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      if (!installed) {
        await admin.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4', [DATABASE]);
        await admin.raw('CREATE USER ?@? IDENTIFIED BY ?', [USER, '127.0.0.1', PASSWORD]);
        await admin.raw('GRANT ALL PRIVILEGES ON ??.* TO ?@?', [DATABASE, USER, '127.0.0.1']);
        installed = true;
      }
    } catch (err) {
      proc.kill('SIGKILL');
      await exited;
      throw err;
    } finally {
      await admin.destroy();
    }
    state = 'running';
  };

  const asRoot = async (sql: string) => {
    const admin = knex({
      ...knexConfig(`mysql://root@localhost/mysql?socketPath=${encodeURIComponent(socket)}`),
      log: QUIET,
    });
    try {
      await admin.raw(sql);
    } finally {
      await admin.destroy();
    }
  };

  const readLog = () => {
    try {
      return readFileSync(errorLog, 'utf8');
    } catch {
      return '(no error log)';
    }
  };

  const signal = async (name: NodeJS.Signals) => {
    if (!child || state === 'down') return;
    if (state === 'paused') child.kill('SIGCONT'); // a stopped process cannot act on SIGTERM
    child.kill(name);
    await exited;
    state = 'down';
    child = undefined;
  };

  return {
    port,
    url: `mysql://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    get state() {
      return state;
    },
    asRoot,
    start: async () => {
      if (state !== 'down') throw new Error(`the private MariaDB is already ${state}`);
      await run();
    },
    kill: () => signal('SIGKILL'),
    restart: async () => {
      await signal('SIGTERM');
      await run();
    },
    async pause() {
      if (state !== 'running' || !child) throw new Error(`cannot pause the private MariaDB: it is ${state}`);
      child.kill('SIGSTOP');
      state = 'paused';
      await allThreadsStopped(child.pid!);
    },
    resume() {
      if (state !== 'paused' || !child) throw new Error(`cannot resume the private MariaDB: it is ${state}`);
      child.kill('SIGCONT');
      state = 'running';
    },
    stop: () => signal('SIGTERM'),
    log: readLog,
    async remove() {
      await signal('SIGKILL');
      process.off('exit', killOnExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until /proc says every thread of `pid` is stopped (state T). */
async function allThreadsStopped(pid: number): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const tasks = await readdir(`/proc/${pid}/task`);
    const states = await Promise.all(
      tasks.map(async (task) => {
        const stat = await readFile(`/proc/${pid}/task/${task}/stat`, 'utf8').catch(() => ') T');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3); // the field after "(comm)"
      }),
    );
    if (states.every((state) => state === 'T' || state === 't')) return;
    if (Date.now() > deadline) throw new Error(`mariadbd ${pid} did not stop within 5 s: thread states ${states.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * A free port below the kernel's ephemeral range, so that no client connection (the server's own
 * to this database, say) can be holding it while the database is down between a kill and a restart.
 */
async function freePort(): Promise<number> {
  let low = 32768;
  try {
    low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    // not Linux: keep the usual range's start
  }
  const floor = Math.max(1024, low - 12000);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = floor + Math.floor(Math.random() * (low - floor));
    if (port === 3306) continue;
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port found between ${floor} and ${low}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Runs a command to completion; rejects with its output when it fails. */
function command(file: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.once('error', (err) => reject(new Error(`${file} could not run: ${err.message}`)));
    proc.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${file} failed (${code}):\n${output}`))));
  });
}
