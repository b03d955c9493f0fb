// `npm run bench`: the built server under wrk load (2 threads, 32 connections, keep-alive), on
// MariaDB (or SQLite with --sqlite), next to a bare Koa + mysql2 server answering the same GET.
// Data is seeded through the server's own storage layer. Prints one table.
//   --sqlite        the embedded SQLite instead of MariaDB (no bare-Koa comparison)
//   --original      also the original freezer-api 13.0.0 (Debian's package under uWSGI, Debian's
//                   settings, 4 workers, same MariaDB; bench/original.sh), same scenarios and load
//   --duration=N    seconds per scenario (default 15)
//   --large=N       backups in the flat-cost scenarios (default 1M); --jobs=N jobs (default 100k)
//   --only=a,b      only the scenarios with these keys (byId, bare, bareList, first, keyset, job,
//                   patch, poll, post, byIdLarge, firstLarge, keysetLarge, offsetLarge)
//   --server=DIR    measure the server built in another checkout (its dist/, started as its
//                   package.json says), for old-against-new runs; data and load stay this one's
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import mysql from 'mysql2/promise';
import { knexConfig } from '../knexfile';
import { openDatabase } from '../src/db/connect';
import { createStore } from '../src/db/store';
import { newId } from '../src/db/ids';
import type { Caller } from '../src/domain/caller';

const args = new Set(process.argv.slice(2));
const sqlite = args.has('--sqlite');
const original = args.has('--original') && !sqlite;
const flag = (name: string, fallback: number) =>
  Number([...args].find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const duration = flag('duration', 15);
const SMALL = 1_000; // backups, as the original was measured with
const LARGE = flag('large', 1_000_000); // backups, for the flat-cost scenarios
const JOBS = flag('jobs', 100_000);
const only = [...args]
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const selected = (key: string) => !only || only.includes(key);
const CLIENTS = 1_000; // the jobs are spread over this many clients; the poll asks for one of them
const ROOT = path.join(__dirname, '..');
/** The checkout whose built server is measured. */
const SERVER_ROOT = path.resolve([...args].find((a) => a.startsWith('--server='))?.slice('--server='.length) ?? ROOT);
const TMP = mkdtempSync(path.join(os.tmpdir(), 'freezer-bench-'));
const MYSQL_ADMIN =
  process.env.FREEZER_BENCH_MYSQL_URL ?? 'mysql://root@localhost/freezer_bench?socketPath=/run/mysqld/mysqld.sock';
const caller: Caller = {
  userId: 'bench-user',
  projectId: 'bench',
  byUser: false,
  userName: null,
  roles: ['member'],
  credentialProjectId: 'bench',
};
const PROJECT = 'bench';
const HEADERS = ['-H', `X-User-Id: ${caller.userId}`];
const BASE = `http://127.0.0.1:9290/v2/${PROJECT}`;

interface Row {
  scenario: string;
  rps: number;
  p50: string;
  p99: string;
  errors: number;
  rssMb: number;
  /** The server's CPU time (user + system, all its processes) per request answered, in µs. */
  cpuUs: number;
}

/** What a scenario is measured against: the processes whose memory is reported, and how. */
interface Target {
  pids: () => number[];
  /** The original closes every connection after answering (Debian's uWSGI settings), which wrk
   * counts as read errors; for it only non-2xx answers, failed connects and timeouts count. */
  closesConnections?: boolean;
  extraHeaders?: string[];
}

async function main() {
  ensureWrk();
  const databaseUrl = sqlite ? `sqlite:${path.join(TMP, 'bench.sqlite')}` : await freshMysql();
  console.error(`seeding ${databaseUrl.replace(/:[^:@/]*@/, ':***@')} …`);
  const small = await seedBackups(databaseUrl, SMALL);
  const jobIds = await seedJobs(databaseUrl);
  await settle(databaseUrl, ['backups', 'jobs', 'clients']);
  // Started as `npm start` starts it (its node flags included), but without npm in between, so
  // that the RSS read is the server's own.
  // (Checkouts from before `serve` existed held the command line in `start`.)
  const { scripts } = JSON.parse(readFileSync(path.join(SERVER_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [node, ...startArgs] = (scripts.serve ?? scripts.start!).split(' ');
  const serverProcess = await start(
    node!,
    [...startArgs, '--port', '9290', '--database', databaseUrl],
    'http://127.0.0.1:9290/healthcheck',
    'listening',
    SERVER_ROOT,
  );
  const server: Target = { pids: () => [serverProcess.pid!] };
  try {
    const backups = `${BASE}/backups`;
    measure('byId', 'GET /v2/{p}/backups/{id} (1k backups)', server, [`${backups}/${small.middle}`]);
    if (!sqlite && (selected('bare') || selected('bareList'))) {
      // The limit, measured right after our GET by id so that both see the same machine.
      const bareProcess = await start(
        'node',
        ['--import', 'tsx', path.join(ROOT, 'bench/bare-koa.ts'), '9291', databaseUrl],
        null,
      );
      const bare: Target = { pids: () => [bareProcess.pid!] };
      try {
        measure('bare', 'bare Koa + mysql2: GET backup by id (the limit)', bare, [
          `http://127.0.0.1:9291/v2/${PROJECT}/backups/${small.middle}`,
        ]);
        measure('bareList', 'bare Koa + mysql2: GET backups?limit=10 (reference)', bare, [
          `http://127.0.0.1:9291/v2/${PROJECT}/backups?limit=10`,
        ]);
      } finally {
        bareProcess.kill();
      }
    }
    measure('first', 'GET /v2/{p}/backups?limit=10 (1k)', server, [`${backups}?limit=10`]);
    measure('keyset', 'GET …/backups?limit=10&marker= deep (1k)', server, [`${backups}?limit=10&marker=${small.nearEnd}`]);
    measure('job', `GET /v2/{p}/jobs/{id} (${count(JOBS)} jobs)`, server, [`${BASE}/jobs/${jobIds[0]}`]);
    // Each request patches one of 1,000 jobs, as many schedulers reporting status would.
    const patch = patchScript(jobIds);
    measure('patch', 'PATCH /v2/{p}/jobs/{id}', server, ['-s', patch, `${BASE}/jobs`]);
    const poll = lua('GET', POLL_BODY);
    measure('poll', `GET jobs poll: client_id, not completed (${count(JOBS)} jobs)`, server, [
      '-s',
      poll,
      `${BASE}/jobs?limit=10&offset=0&all_projects=False`,
    ]);
    const post = lua('POST', POST_BODY);
    measure('post', 'POST /v2/{p}/backups', server, ['-s', post, backups]);
    if (original) await measureOriginal();

    if (['byIdLarge', 'firstLarge', 'keysetLarge', 'offsetLarge'].some(selected)) {
      console.error(`growing the backups table to ${count(LARGE)} …`);
      const large = await seedBackups(databaseUrl, LARGE - SMALL);
      await settle(databaseUrl, ['backups']);
      measure('byIdLarge', `GET /v2/{p}/backups/{id} (${count(LARGE)})`, server, [`${backups}/${large.middle}`]);
      measure('firstLarge', `GET /v2/{p}/backups?limit=10 (${count(LARGE)})`, server, [`${backups}?limit=10`]);
      measure('keysetLarge', `GET …/backups?limit=10&marker= deep (${count(LARGE)})`, server, [
        `${backups}?limit=10&marker=${large.nearEnd}`,
      ]);
      // For contrast: a deep page by offset steps over every row before it. One connection, since
      // 32 of these at once would only time out.
      measure(
        'offsetLarge',
        `GET …/backups?limit=10&offset=${count(LARGE / 2)} (${count(LARGE)}), 1 connection`,
        server,
        [`${backups}?limit=10&offset=${LARGE / 2}`],
        { connections: 1 },
      );
    }
  } finally {
    serverProcess.kill();
  }
  printTable();
}

const rows: Row[] = [];
const results: Record<string, Row> = {};

interface Load {
  connections?: number;
  timeout?: string;
  warmUp?: boolean;
  seconds?: number;
}

function measure(key: string, name: string, target: Target, wrkArgs: string[], load: Load = {}): void {
  if (!selected(key)) return;
  results[key] = scenario(name, target, wrkArgs, {
    connections: 32,
    timeout: '10s',
    warmUp: true,
    seconds: duration,
    ...load,
  });
  rows.push(results[key]);
}

/**
 * Writes the seeded tables' dirty pages out now, so that no scenario shares the machine with
 * InnoDB flushing them in the background (the first one measured used to).
 */
async function settle(databaseUrl: string, tables: string[]): Promise<void> {
  if (sqlite) return;
  const connection = await mysql.createConnection(knexConfig(databaseUrl).connection as mysql.ConnectionOptions);
  try {
    await connection.query(`FLUSH TABLES ${tables.join(', ')} FOR EXPORT`);
    await connection.query('UNLOCK TABLES');
  } finally {
    await connection.end();
  }
}

function originalUrl(): string {
  const url = new URL(MYSQL_ADMIN);
  url.pathname = '/freezer_original';
  return url.toString();
}

const POLL_BODY = JSON.stringify({ match: [{ client_id: 'bench_node1' }], match_not: [{ status: 'completed' }] });
const POST_BODY = JSON.stringify({ backup_name: 'b', container: 'c', hostname: 'h', time_stamp: 1700000000 });
/** A scheduler's status report to one of 1,000 jobs, picked at random per request. */
const patchScript = (jobIds: string[]) =>
  lua(
    'PATCH',
    JSON.stringify({ job_schedule: { status: 'scheduled' } }),
    jobIds.slice(0, 1000).map((id) => `/v2/${PROJECT}/jobs/${id}`),
  );
const ORIGINAL_PORT = 9292;
/** Scenarios measured on both servers: ours, the original's. */
const COMPARED = [
  ['byId', 'origById'],
  ['first', 'origFirst'],
  ['job', 'origJob'],
  ['post', 'origPost'],
  ['patch', 'origPatch'],
  ['poll', 'origPoll'],
] as const;

/**
 * The original under the same load, right after ours, on data shaped like ours (1k backups,
 * JOBS jobs over CLIENTS clients) written straight into its tables as its API writes them.
 */
async function measureOriginal(): Promise<void> {
  if (!COMPARED.some(([, key]) => selected(key))) return;
  const script = path.join(ROOT, 'bench/original.sh');
  try {
    // Its output goes to stderr with the rest of the progress; stdout is the table's.
    execFileSync('bash', [script, String(ORIGINAL_PORT), MYSQL_ADMIN], { stdio: ['ignore', 2, 2] });
  } catch (err) {
    console.error(`the original could not be started (${(err as Error).message}); its rows are left out`);
    return;
  }
  const master = Number(readFileSync(`/tmp/freezer-original-${ORIGINAL_PORT}/uwsgi.pid`, 'utf8'));
  const target: Target = {
    // The uWSGI master and its workers.
    pids: () => [
      master,
      ...execFileSync('pgrep', ['-P', String(master)], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map(Number),
    ],
    closesConnections: true,
    extraHeaders: ['-H', 'X-Identity-Status: Confirmed'],
  };
  try {
    const { backupId, jobIds } = await seedOriginal();
    await settle(originalUrl(), ['backups', 'jobs']);
    const base = `http://127.0.0.1:${ORIGINAL_PORT}/v2/${PROJECT}`;
    measure('origById', 'original: GET /v2/{p}/backups/{id} (1k backups)', target, [`${base}/backups/${backupId}`]);
    measure('origFirst', 'original: GET /v2/{p}/backups?limit=10 (1k)', target, [`${base}/backups?limit=10`]);
    measure('origJob', `original: GET /v2/{p}/jobs/{id} (${count(JOBS)} jobs)`, target, [`${base}/jobs/${jobIds[0]}`]);
    const patch = patchScript(jobIds);
    measure('origPatch', 'original: PATCH /v2/{p}/jobs/{id}', target, ['-s', patch, `${base}/jobs`]);
    measure('origPost', 'original: POST /v2/{p}/backups', target, ['-s', lua('POST', POST_BODY), `${base}/backups`]);
    // It reads all of the user's jobs and filters them in Python (seconds each): one connection
    // per worker, time enough for each to finish, and no warm-up (its requests would still hold
    // the workers). Last, as its workers stay busy for a while with the requests wrk leaves behind.
    measure(
      'origPoll',
      `original: GET jobs poll (${count(JOBS)} jobs), 4 connections, ${Math.max(30, duration)} s`,
      target,
      ['-s', lua('GET', POLL_BODY), `${base}/jobs?limit=10&offset=0&all_projects=False`],
      { connections: 4, timeout: '60s', warmUp: false, seconds: Math.max(30, duration) },
    );
  } finally {
    execFileSync('bash', [script, 'stop', String(ORIGINAL_PORT)], { stdio: 'ignore' });
  }
}

/** Rows as the original's API writes them (its JSON in Python's json.dumps layout; deleted = 0). */
async function seedOriginal(): Promise<{ backupId: string; jobIds: string[] }> {
  const db = knex(knexConfig(originalUrl()));
  try {
    await db.raw(
      `INSERT INTO backups (created_at, deleted, id, job_id, project_id, user_id, user_name, backup_metadata)
      SELECT NOW(), 0, LOWER(HEX(RANDOM_BYTES(16))), CONCAT('job-', seq % 100), ?, ?, NULL,
        CONCAT('{"backup_name": "backup-', seq, '", "container": "bench", "hostname": "node', seq % 10,
          '", "time_stamp": ', 1700000000 + seq, ', "mode": "fs", "curr_backup_level": ', seq % 5,
          ', "path_to_backup": "/srv/data", "job_id": "job-', seq % 100, '"}')
      FROM seq_0_to_${SMALL - 1}`,
      [PROJECT, caller.userId],
    );
    await db.raw(
      `INSERT INTO jobs (created_at, updated_at, deleted, id, project_id, user_id, schedule, client_id,
        session_id, session_tag, description, job_actions)
      SELECT NOW(), NOW(), 0, LOWER(HEX(RANDOM_BYTES(16))), ?, ?,
        CONCAT('{"schedule_interval": "1 days", "status": "',
          ELT(FLOOR(seq / ${CLIENTS}) % 4 + 1, 'scheduled', 'completed', 'running', 'completed'),
          '", "time_created": 1700000000, "time_started": -1, "time_ended": -1}'),
        CONCAT('bench_node', seq % ${CLIENTS}), '', 0, CONCAT('job ', seq),
        CONCAT('[{"freezer_action": {"action": "backup", "mode": "fs", "path_to_backup": "/etc", "storage": "local"}, ',
          '"max_retries": 3, "user_id": "', ?, '", "project_id": "', ?, '", "action_id": "', LOWER(HEX(RANDOM_BYTES(16))), '"}]')
      FROM seq_0_to_${JOBS - 1}`,
      [PROJECT, caller.userId, caller.userId, PROJECT],
    );
    const [backup] = await db('backups')
      .select('id')
      .orderBy('id')
      .offset(SMALL / 2)
      .limit(1);
    // 1,000 different jobs for the PATCH scenario, as ours gets (one per client).
    const jobIds = (await db('jobs').select('id').limit(1000)).map((r: { id: string }) => r.id);
    return { backupId: backup.id, jobIds };
  } finally {
    await db.destroy();
  }
}

const count = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));

function ensureWrk() {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return; // wrk --version exits 1 but exists
    console.error('installing wrk …');
    execFileSync('apt-get', ['install', '-y', '-qq', 'wrk'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
}

async function freshMysql(): Promise<string> {
  const url = new URL(MYSQL_ADMIN);
  const name = url.pathname.slice(1);
  url.pathname = '/mysql';
  const admin = knex(knexConfig(url.toString()));
  await admin.raw('DROP DATABASE IF EXISTS ??', [name]);
  await admin.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4', [name]);
  await admin.destroy();
  return MYSQL_ADMIN;
}

/**
 * Adds `n` backups through the repository the server itself uses, in batches; returns the id of
 * one in the middle and of one 10 before the end (a marker for a deep page).
 */
async function seedBackups(databaseUrl: string, n: number) {
  const db = await openDatabase(databaseUrl);
  try {
    const repo = createStore(db).backups;
    const picked = { middle: '', nearEnd: '' };
    for (let done = 0; done < n; done += 10_000) {
      const size = Math.min(10_000, n - done);
      const ids = await repo.insertMany(
        caller,
        Array.from({ length: size }, (_, j) => {
          const i = done + j;
          return {
            backup_name: `backup-${i}`,
            container: 'bench',
            hostname: `node${i % 10}`,
            time_stamp: 1700000000 + i,
            mode: 'fs',
            curr_backup_level: i % 5,
            path_to_backup: '/srv/data',
            job_id: `job-${i % 100}`,
          };
        }),
      );
      ids.forEach((id, j) => {
        if (done + j === Math.floor(n / 2)) picked.middle = id;
        if (done + j === n - 11) picked.nearEnd = id;
      });
    }
    return picked;
  } finally {
    await db.destroy();
  }
}

/** JOBS jobs spread over CLIENTS clients, statuses rotating; one client is registered. */
async function seedJobs(databaseUrl: string): Promise<string[]> {
  const db = await openDatabase(databaseUrl);
  try {
    const { clients, jobs } = createStore(db);
    await clients.insert(caller, { client_id: 'bench_node1' });
    const jobIds = Array.from({ length: JOBS }, () => newId());
    const statuses = ['scheduled', 'completed', 'running', 'completed'];
    for (let done = 0; done < JOBS; done += 10_000) {
      await jobs.insertMany(
        caller,
        jobIds.slice(done, done + 10_000).map((id, j) => {
          const i = done + j;
          return {
            id,
            doc: {
              client_id: `bench_node${i % CLIENTS}`,
              session_id: '',
              session_tag: 0,
              description: `job ${i}`,
              job_schedule: {
                schedule_interval: '1 days',
                status: statuses[Math.floor(i / CLIENTS) % 4],
                time_created: 1700000000,
                time_started: -1,
                time_ended: -1,
              },
              job_actions: [
                {
                  freezer_action: { action: 'backup', mode: 'fs', path_to_backup: '/etc', storage: 'local' },
                  max_retries: 3,
                  action_id: newId(),
                },
              ],
            },
          };
        }),
      );
    }
    return jobIds;
  } finally {
    await db.destroy();
  }
}

function start(
  command: string,
  argv: string[],
  readyUrl: string | null,
  readyText = 'listening',
  cwd = ROOT,
): Promise<ChildProcess> {
  const child = spawn(command, argv, {
    cwd,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, FREEZER_API_AUTH: 'noauth' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const untilReady = (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.includes(readyText)) return;
      // From here on the server's log (a line per request at info) is read and dropped, as a
      // log shipper would read it, not kept.
      child.stdout.off('data', untilReady);
      child.stdout.on('data', () => {});
      if (!readyUrl) return resolve(child);
      fetch(readyUrl).then(() => resolve(child), reject);
    };
    child.stdout.on('data', untilReady);
    child.on('exit', (code) => reject(new Error(`${command} exited with ${code}`)));
  });
}

/** A wrk script sending `body` with `method`, to the URL given or to one of `paths` at random. */
function lua(method: string, body: string, paths?: string[]): string {
  const file = path.join(TMP, `${method}-${Math.random().toString(36).slice(2)}.lua`);
  let script = `wrk.method = "${method}"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["Content-Type"] = "application/json"\n`;
  if (paths) {
    script += `local paths = {${paths.map((p) => JSON.stringify(p)).join(',')}}\n`;
    script += 'request = function() return wrk.format(nil, paths[math.random(#paths)]) end\n';
  }
  writeFileSync(file, script);
  return file;
}

function scenario(name: string, target: Target, wrkArgs: string[], load: Required<Load>): Row {
  const { connections, timeout, warmUp, seconds } = load;
  const headers = [...HEADERS, ...(target.extraHeaders ?? [])];
  const threads = `-t${Math.min(2, connections)}`;
  // Two unrecorded seconds first, so that no scenario pays for the JIT warming up (the first
  // one, on a fresh server, would), nor for the previous scenario's garbage.
  if (warmUp) execFileSync('wrk', [threads, `-c${connections}`, '-d2s', '--timeout', timeout, ...headers, ...wrkArgs]);
  const cpuBefore = cpuTicks(target);
  // A long timeout so that the slow deep-offset contrast shows as latency, not as errors.
  const output = execFileSync(
    'wrk',
    [threads, `-c${connections}`, `-d${seconds}s`, '--latency', '--timeout', timeout, ...headers, ...wrkArgs],
    { encoding: 'utf8' },
  );
  const cpuUsed = cpuTicks(target) - cpuBefore;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? 0);
  const answered = Number(/(\d+) requests in/.exec(output)?.[1] ?? 0);
  const p50 = /\s50%\s+([\d.]+\w+)/.exec(output)?.[1] ?? '?';
  const p99 = /\s99%\s+([\d.]+\w+)/.exec(output)?.[1] ?? '?';
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const [connect = 0, read = 0, write = 0, timedOut = 0] = socket ? socket.slice(1).map(Number) : [];
  const errors = non2xx + connect + (target.closesConnections ? 0 : read + write) + timedOut;
  const rssKb = target
    .pids()
    .reduce((sum, pid) => sum + Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0), 0);
  const cpuUs = answered ? Math.round((cpuUsed * 1e6) / CLOCK_TICKS / answered) : 0;
  const row = { scenario: name, rps, p50, p99, errors, rssMb: Math.round(rssKb / 1024), cpuUs };
  console.error(`${name}: ${rps.toFixed(0)} req/s, p50 ${p50}, p99 ${p99}, errors ${errors}, ${cpuUs} µs CPU/request`);
  return row;
}

/** Clock ticks per second, the unit of /proc/<pid>/stat's CPU times. */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/**
 * The CPU time the target's processes have used, in clock ticks. Per request it is steadier than
 * req/s on a shared machine: what other load takes from the server is its wall time, less its CPU.
 */
function cpuTicks(target: Target): number {
  return target.pids().reduce((sum, pid) => {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return sum + Number(fields[11]) + Number(fields[12]);
  }, 0);
}

function printTable() {
  console.log(`\n${sqlite ? 'SQLite' : 'MariaDB'}, wrk -t2 -c32 -d${duration}s, ${os.cpus().length} cores shared with wrk\n`);
  console.log('| scenario | req/s | p50 | p99 | errors | server RSS (MB) | server CPU/request (µs) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows)
    console.log(
      `| ${r.scenario} | ${r.rps.toFixed(r.rps < 10 ? 1 : 0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.rssMb} | ${r.cpuUs} |`,
    );
  const rps = (key: string) => results[key]!.rps;
  console.log('');
  if (results.bare && results.byId) {
    console.log(`GET by id: ${((100 * rps('byId')) / rps('bare')).toFixed(0)}% of the bare-Koa limit.`);
  }
  if (results.bareList && results.first) {
    console.log(`List, first page: ${((100 * rps('first')) / rps('bareList')).toFixed(0)}% of the bare-Koa list.`);
  }
  // Cost per request grows as throughput falls: 1k req/s over 1M rows vs over 1k rows.
  for (const [what, smallKey, largeKey] of [
    ['GET by id', 'byId', 'byIdLarge'],
    ['first page', 'first', 'firstLarge'],
    ['deep keyset page', 'keyset', 'keysetLarge'],
  ]) {
    if (!results[smallKey!] || !results[largeKey!]) continue;
    console.log(
      `${what}: cost over ${count(LARGE)} backups is ${(rps(smallKey!) / rps(largeKey!)).toFixed(2)}× the cost over ${count(SMALL)}.`,
    );
  }
  const compared = COMPARED.filter(([ours, theirs]) => results[ours] && results[theirs]);
  if (compared.length) {
    console.log('\n| scenario | ours, req/s | original, req/s | ratio |\n|---|---:|---:|---:|');
    for (const [ours, theirs] of compared) {
      const ratio = rps(theirs) > 0 ? `${(rps(ours) / rps(theirs)).toFixed(1)}×` : 'original answered none in time';
      console.log(
        `| ${results[ours]!.scenario} | ${rps(ours).toFixed(0)} | ${rps(theirs).toFixed(rps(theirs) < 10 ? 2 : 0)} | ${ratio} |`,
      );
    }
  }
}

main().catch((err: unknown) => {
  console.error(`bench: ${(err as Error).message}`);
  process.exit(1);
});
