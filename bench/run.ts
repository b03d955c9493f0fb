// `npm run bench`: the built server under wrk load (2 threads, 32 connections, keep-alive), on
// MariaDB (or SQLite with --sqlite), next to a bare Koa + mysql2 server answering the same GET.
// Data is seeded through the server's own storage layer. Prints one table.
//   --sqlite        the embedded SQLite instead of MariaDB (no bare-Koa comparison)
//   --duration=N    seconds per scenario (default 15)
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { knexConfig } from '../knexfile';
import { openDatabase } from '../src/db/connect';
import { BackupsRepo } from '../src/db/repos/backups';
import { ClientsRepo } from '../src/db/repos/clients';
import { jobs } from '../src/db/repos/kinds';
import { newId } from '../src/db/ids';

const args = new Set(process.argv.slice(2));
const sqlite = args.has('--sqlite');
const duration = Number([...args].find((a) => a.startsWith('--duration='))?.split('=')[1] ?? 15);
const ROOT = path.join(__dirname, '..');
const TMP = mkdtempSync(path.join(os.tmpdir(), 'freezer-bench-'));
const MYSQL_ADMIN = process.env.FREEZER_BENCH_MYSQL_URL ?? 'mysql://root@localhost/freezer_bench?socketPath=/run/mysqld/mysqld.sock';
const caller = { userId: 'bench-user', projectId: 'bench', userName: null };
const PROJECT = 'bench';

interface Row { scenario: string; rps: number; p50: string; p99: string; errors: number; rssMb: number }

async function main() {
  ensureWrk();
  const databaseUrl = sqlite ? `sqlite:${path.join(TMP, 'bench.sqlite')}` : await freshMysql();
  console.error(`seeding ${databaseUrl.replace(/:[^:@/]*@/, ':***@')} …`);
  const seeded = await seed(databaseUrl, 1000);
  const rows: Row[] = [];
  const server = await start('node', [path.join(ROOT, 'dist/src/main.js'), '--port', '9290', '--database', databaseUrl], 'http://127.0.0.1:9290/healthcheck');
  try {
    const base = `http://127.0.0.1:9290/v2/${PROJECT}`;
    const headers = ['-H', `X-User-Id: ${caller.userId}`];
    rows.push(await scenario('GET /v2/{p}/backups/{id} (1k)', server, [...headers, `${base}/backups/${seeded.backupIds[500]}`]));
    rows.push(await scenario('GET /v2/{p}/backups?limit=10 (1k)', server, [...headers, `${base}/backups?limit=10`]));
    rows.push(await scenario('GET /v2/{p}/jobs/{id}', server, [...headers, `${base}/jobs/${seeded.jobIds[0]}`]));
    rows.push(await scenario('POST /v2/{p}/backups', server, [...headers, '-s', lua('POST', JSON.stringify({ backup_name: 'b', container: 'c', hostname: 'h', time_stamp: 1700000000 })), `${base}/backups`]));
    // Each request patches one of 1,000 jobs, as many schedulers reporting status would.
    const patch = lua('PATCH', JSON.stringify({ job_schedule: { status: 'scheduled' } }), seeded.jobIds.map((id) => `/v2/${PROJECT}/jobs/${id}`));
    rows.push(await scenario('PATCH /v2/{p}/jobs/{id}', server, [...headers, '-s', patch, `${base}/jobs`]));
    rows.push(await scenario('GET jobs poll (client_id, not completed)', server, [...headers, '-s', lua('GET', JSON.stringify({ match: [{ client_id: 'bench_node1' }], match_not: [{ status: 'completed' }] })), `${base}/jobs?limit=10&offset=0&all_projects=False`]));
  } finally {
    server.kill();
  }
  if (!sqlite) {
    const bare = await start('npx', ['tsx', path.join(ROOT, 'bench/bare-koa.ts'), '9291', databaseUrl.replace(/^mysql:/, 'mysql:')], null, 'listening');
    try {
      rows.push(await scenario('bare Koa + mysql2: GET backup by id', bare, ['-H', `X-User-Id: ${caller.userId}`, `http://127.0.0.1:9291/v2/${PROJECT}/backups/${seeded.backupIds[500]}`]));
    } finally {
      bare.kill();
    }
    const ours = rows[0]!.rps;
    const limit = rows[rows.length - 1]!.rps;
    console.log(`\nGET by id: ${(100 * ours / limit).toFixed(0)}% of the bare-Koa limit in this run.`);
  }
  printTable(rows);
}

function ensureWrk() {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return; // wrk --version exits 1 but exists
    console.error('installing wrk …');
    execFileSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
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

/** Seeds through the repositories the server itself uses. */
async function seed(databaseUrl: string, backups: number) {
  const db = await openDatabase(databaseUrl);
  try {
    const repo = new BackupsRepo(db);
    const backupIds = await repo.insertMany(caller, Array.from({ length: backups }, (_, i) => ({
      backup_name: `backup-${i}`, container: 'bench', hostname: `node${i % 10}`, time_stamp: 1700000000 + i,
      mode: 'fs', curr_backup_level: i % 5, path_to_backup: '/srv/data', job_id: `job-${i % 100}`,
    })));
    await new ClientsRepo(db).insert(caller, { client_id: 'bench_node1' });
    const jobIds = Array.from({ length: 1000 }, () => newId());
    const statuses = ['scheduled', 'completed', 'running', 'completed'];
    await jobs.insertMany(db, caller, jobIds.map((id, i) => ({
      id,
      doc: {
        client_id: i % 2 ? 'bench_node1' : 'bench_node2', session_id: '', session_tag: 0, description: `job ${i}`,
        job_schedule: { schedule_interval: '1 days', status: statuses[i % 4], time_created: 1700000000, time_started: -1, time_ended: -1 },
        job_actions: [{ freezer_action: { action: 'backup', mode: 'fs', path_to_backup: '/etc', storage: 'local' }, max_retries: 3, action_id: newId() }],
      },
    })));
    return { backupIds, jobIds };
  } finally {
    await db.destroy();
  }
}

function start(command: string, argv: string[], readyUrl: string | null, readyText = 'listening'): Promise<ChildProcess> {
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FREEZER_API_AUTH: 'noauth' } });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(readyText)) {
        if (!readyUrl) return resolve(child);
        fetch(readyUrl).then(() => resolve(child), reject);
      }
    });
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

async function scenario(name: string, server: ChildProcess, wrkArgs: string[]): Promise<Row> {
  const output = execFileSync('wrk', ['-t2', '-c32', `-d${duration}s`, '--latency', ...wrkArgs], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? 0);
  const p50 = /\s50%\s+([\d.]+\w+)/.exec(output)?.[1] ?? '?';
  const p99 = /\s99%\s+([\d.]+\w+)/.exec(output)?.[1] ?? '?';
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const errors = non2xx + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1] ?? 0);
  const row = { scenario: name, rps, p50, p99, errors, rssMb: Math.round(rssKb / 1024) };
  console.error(`${name}: ${rps.toFixed(0)} req/s, p50 ${p50}, p99 ${p99}, errors ${errors}`);
  return row;
}

function printTable(rows: Row[]) {
  console.log(`\n${sqlite ? 'SQLite' : 'MariaDB'}, wrk -t2 -c32 -d${duration}s, ${os.cpus().length} cores shared with wrk\n`);
  console.log('| scenario | req/s | p50 | p99 | errors | server RSS (MB) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.scenario} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.rssMb} |`);
}

main().catch((err: unknown) => {
  console.error(`bench: ${(err as Error).message}`);
  process.exit(1);
});
