// Database faults under a running server, as operators meet them: MariaDB killed and restarted
// under load, MariaDB hung (SIGSTOP) under load, SIGTERM while it hangs, and the server started
// before its database. The server runs in its own process (test/helpers/server-process.ts) on a
// MariaDB of the suite's own (test/helpers/private-mariadb.ts), which these tests kill and freeze;
// the shared server on 3306 is never touched. What they hold the server to:
//  - while the database is unavailable every request answers 503 with Retry-After and the JSON
//    error body, within the configured bound: no 500, no hang, no connection reset;
//  - service returns by itself once the database does, and every write answered 2xx is stored;
//  - the log says one line per failure or a summary counting them, never a stack trace;
//  - SIGTERM ends the process within the drain time even while the database hangs;
//  - at start, FREEZER_API_DB_WAIT_SECONDS=0 fails at once in one line, a wait retries, one line each.
// Runs whenever the suite runs (mariadbd is installed in CI); fails if mariadbd cannot start.
import { withRequestId } from '../helpers/matchers';
import { privateMariaDbFor } from '../helpers/private-mariadb';
import { exitWithin, ServerExitedError, startServerProcess, type ServerProcess } from '../helpers/server-process';
import { conformanceErrors } from '../helpers/spec';
import { performance } from 'node:perf_hooks';
import { timedExchange, type TimedResponse } from '../helpers/timed-http';
import type { Exchange } from '../helpers/spec';

const QUERY_TIMEOUT_MS = 1000;
const ACQUIRE_TIMEOUT_MS = 500;
const SHUTDOWN_TIMEOUT_S = 3;
/** Every request must be answered within this: one acquire, one query, and room for a busy 2-core machine. */
const ANSWER_BOUND_MS = QUERY_TIMEOUT_MS + ACQUIRE_TIMEOUT_MS + 1500;
/** How long service may take to come back once the database answers again. */
const RECOVERY_BOUND_MS = 5000;
const UNAVAILABLE = { title: 'Service Unavailable', description: withRequestId('The database is unavailable; try again later.') };
/** The 503 body, its description ending with the request id the response's header carries. */
const isUnavailable = (o: Outcome) =>
  (o.body as { title?: string })?.title === UNAVAILABLE.title &&
  (o.body as { description?: string })?.description ===
    `The database is unavailable; try again later. (request ${String(o.headers['x-openstack-request-id'])})`;

const database = privateMariaDbFor();
beforeAll(() => database.start(), 60000);

let servers: ServerProcess[] = [];
let loads: Load[] = [];
afterEach(async () => {
  // A failed or timed-out test leaves its load looping: stop it before the server goes.
  await Promise.all(loads.map((l) => l.stop()));
  loads = [];
  await Promise.all(servers.map((s) => s.kill()));
  servers = [];
  // Each test leaves the database as it found it, whatever failed.
  if (database.state === 'paused') database.resume();
  if (database.state === 'down') await database.start();
}, 60000);

function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    FREEZER_API_DATABASE_URL: database.url,
    FREEZER_API_DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
    FREEZER_API_DB_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_TIMEOUT_MS),
    FREEZER_API_SHUTDOWN_TIMEOUT: String(SHUTDOWN_TIMEOUT_S),
    ...extra,
  };
}

async function serve(extra: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await startServerProcess(serverEnv(extra));
  servers.push(server);
  return server;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the database killed and restarted under load', () => {
  it('answers only 503s while it is down, returns by itself, and keeps every acknowledged write', async () => {
    const server = await serve();
    const load = await startLoad(server.url, 'proj-kill');
    await sleep(1500);

    await database.kill();
    const down = { from: performance.now(), to: 0 };
    await sleep(3000);
    down.to = performance.now();
    await database.restart();
    const back = performance.now();
    const recovery = await load.recovered(back, RECOVERY_BOUND_MS + 5000);
    await sleep(1000);
    await load.stop();

    const report = summarise(load.outcomes);
    const readBack = await readBackAcknowledged(server.url, load);
    console.log(
      `kill: ${report.requests} requests, writes acknowledged ${load.acknowledgedWrites()}, 503s ${report.unavailable}, ` +
        `read back ${readBack.found}/${readBack.expected}; unacknowledged job creates stored anyway ${readBack.unacknowledgedStored}/${readBack.unacknowledged}`,
    );
    console.log(
      `kill: service back ${recovery.api} ms (API), ${recovery.health} ms (healthcheck) after the restart; slowest answer ${report.slowestMs} ms`,
    );

    expect(report.problems).toEqual([]);
    expect(await report.specProblems).toEqual([]);
    // While it was down (requests sent after the kill and answered before the restart): 503 only.
    const whileDown = load.outcomes.filter((o) => o.startedAt >= down.from && o.endedAt <= down.to);
    expect(whileDown.length).toBeGreaterThan(20);
    expect(whileDown.filter((o) => o.status !== 503).map(describeOutcome)).toEqual([]);
    expect(recovery.api).toBeLessThan(RECOVERY_BOUND_MS);
    expect(recovery.health).toBeLessThan(RECOVERY_BOUND_MS);
    expect(readBack.missing).toEqual([]);
    expect(readBack.older).toEqual([]);
    expect(load.acknowledgedWrites()).toBeGreaterThan(20);
    await expectFailuresLoggedInLines(server, load.outcomes);
  }, 60000);
});

describe('the database read-only', () => {
  it('answers writes 503 with Retry-After, storing nothing, serves reads, and takes writes once writable again', async () => {
    const server = await serve();
    const path = '/v2/proj-read-only/backups';
    const upload = () =>
      timedExchange(server.url, {
        method: 'POST',
        path,
        agent: false,
        json: { backup_name: 'b', container: 'c', hostname: 'h' },
      });
    expect((await upload()).status).toBe(201);
    await database.asRoot('SET GLOBAL read_only = ON');
    try {
      const refused = await upload();
      expect([refused.status, refused.headers['retry-after'], refused.body]).toEqual([503, '2', UNAVAILABLE]);
      expect(await conformanceErrors(refused)).toEqual([]);
      const listed = await timedExchange(server.url, { method: 'GET', path, agent: false });
      expect(listed.status).toBe(200);
      expect((listed.body as { backups: unknown[] }).backups).toHaveLength(1);
    } finally {
      await database.asRoot('SET GLOBAL read_only = OFF');
    }
    expect((await upload()).status).toBe(201);
    const listed = await timedExchange(server.url, { method: 'GET', path, agent: false });
    expect((listed.body as { backups: unknown[] }).backups).toHaveLength(2);
  }, 30000);
});

describe('the database hung (SIGSTOP) under load', () => {
  it('answers every request within the bound, healthcheck 503 within a second, and returns after SIGCONT', async () => {
    const server = await serve();
    const load = await startLoad(server.url, 'proj-hang');
    await sleep(1000);

    await database.pause();
    const paused = { from: performance.now(), to: 0 };
    // A healthcheck of its own, besides the load's, timed one after another while it hangs.
    const healthChecks: Answer[] = [];
    while (performance.now() - paused.from < 3500)
      healthChecks.push(await timedExchange(server.url, { method: 'GET', path: '/healthcheck', agent: false }));
    paused.to = performance.now();
    database.resume();
    const back = performance.now();
    const recovery = await load.recovered(back, RECOVERY_BOUND_MS + 5000);
    await sleep(1000);
    await load.stop();

    const report = summarise(load.outcomes);
    const readBack = await readBackAcknowledged(server.url, load);
    const healthMs = healthChecks.map((h) => Math.round(h.ms));
    console.log(
      `hang: ${report.requests} requests, writes acknowledged ${load.acknowledgedWrites()}, 503s ${report.unavailable}, ` +
        `read back ${readBack.found}/${readBack.expected}; slowest answer ${report.slowestMs} ms (bound ${ANSWER_BOUND_MS})`,
    );
    console.log(
      `hang: healthcheck while hung ${healthChecks.length}x, ${Math.min(...healthMs)}-${Math.max(...healthMs)} ms; ` +
        `service back ${recovery.api} ms (API), ${recovery.health} ms (healthcheck) after SIGCONT`,
    );

    expect(report.problems).toEqual([]);
    expect(await report.specProblems).toEqual([]);
    expect(
      healthChecks.filter((h) => h.status !== 503 || h.text !== 'DATABASE UNAVAILABLE' || h.ms > 1500).map(describeOutcome),
    ).toEqual([]);
    // Requests sent while it was stopped: none can have been answered by the database.
    const whileHung = load.outcomes.filter((o) => o.startedAt >= paused.from && o.endedAt <= paused.to);
    expect(whileHung.length).toBeGreaterThan(5);
    expect(whileHung.filter((o) => o.status !== 503).map(describeOutcome)).toEqual([]);
    expect(recovery.api).toBeLessThan(RECOVERY_BOUND_MS);
    expect(recovery.health).toBeLessThan(RECOVERY_BOUND_MS);
    expect(readBack.missing).toEqual([]);
    expect(readBack.older).toEqual([]);
    await expectFailuresLoggedInLines(server, load.outcomes);
  }, 60000);
});

describe('SIGTERM while the database hangs', () => {
  it('exits within the drain time, answering the requests in flight', async () => {
    const server = await serve();
    const project = '/v2/proj-term';
    expect((await timedExchange(server.url, { method: 'GET', path: `${project}/backups`, agent: false })).status).toBe(200); // the pool is open
    await database.pause();
    const inFlight = Array.from({ length: 4 }, () =>
      timedExchange(server.url, { method: 'GET', path: `${project}/backups`, agent: false, timeoutMs: 10000 }),
    );
    await sleep(300);
    const signalled = performance.now();
    server.child.kill('SIGTERM');
    const code = await exitWithin(server, SHUTDOWN_TIMEOUT_S * 1000 + 8000);
    const exitMs = Math.round(performance.now() - signalled);
    const answers = await Promise.all(inFlight);
    console.log(
      `SIGTERM while hung: exited ${code} after ${exitMs} ms (drain ${SHUTDOWN_TIMEOUT_S} s); in flight: ${answers.map((a) => a.status || a.error).join(' ')}`,
    );

    expect(exitMs).toBeLessThan(SHUTDOWN_TIMEOUT_S * 1000 + 2000);
    // In flight when the signal came, they run to completion: a 503 once the query times out;
    // then nothing is left and the pool closes without waiting on the database.
    expect(answers.map((a) => a.status)).toEqual([503, 503, 503, 503]);
    expect(code).toBe(0);
  }, 30000);

  it('exits at the drain time, naming what it cut, when the queries in flight would outlast it', async () => {
    const drainSeconds = 1;
    const server = await serve({ FREEZER_API_DB_QUERY_TIMEOUT_MS: '20000', FREEZER_API_SHUTDOWN_TIMEOUT: String(drainSeconds) });
    const project = '/v2/proj-term-long';
    expect((await timedExchange(server.url, { method: 'GET', path: `${project}/backups`, agent: false })).status).toBe(200);
    await database.pause();
    const inFlight = Array.from({ length: 3 }, () =>
      timedExchange(server.url, { method: 'GET', path: `${project}/backups`, agent: false, timeoutMs: 10000 }),
    );
    await sleep(300);
    const before = server.output().length;
    const signalled = performance.now();
    server.child.kill('SIGTERM');
    const code = await exitWithin(server, drainSeconds * 1000 + 8000);
    const exitMs = Math.round(performance.now() - signalled);
    const answers = await Promise.all(inFlight);
    const said = server.output().slice(before).trim();
    console.log(
      `SIGTERM while hung, queries outlasting the drain: exited ${code} after ${exitMs} ms; in flight: ${answers.map((a) => a.status || a.error).join(' ')}; log: ${said}`,
    );

    expect(typeof code === 'number' && code !== 0).toBe(true);
    expect(exitMs).toBeGreaterThanOrEqual(drainSeconds * 1000 - 100);
    // The drain, then at most 2 s for the pool to close on a database that never says goodbye.
    expect(exitMs).toBeLessThan(drainSeconds * 1000 + 3000);
    // Those holding a connection hang until cut; those waiting for a new one get 503 (acquire timeout).
    const cut = answers.filter((a) => a.error);
    expect(cut.length).toBeGreaterThan(0);
    expect(answers.filter((a) => !a.error && a.status !== 503).map(describeOutcome)).toEqual([]);
    const cutLine = said.split('\n').find((l) => /cut/.test(l)) ?? '';
    expect(cutLine.match(/GET \/v2\/proj-term-long\/backups/g)).toHaveLength(cut.length);
    expect(said).not.toMatch(STACK_LINE);
  }, 30000);
});

describe('the server started while the database is down', () => {
  it('with FREEZER_API_DB_WAIT_SECONDS=0 exits non-zero at once, in one line', async () => {
    await database.stop();
    const started = performance.now();
    const failure = await serve({ FREEZER_API_DB_WAIT_SECONDS: '0' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    const ms = Math.round(performance.now() - started);
    expect(failure).toBeInstanceOf(ServerExitedError);
    const { code, output } = failure as ServerExitedError;
    console.log(`start with the database down, no wait: exit ${code} after ${ms} ms: ${output.trim()}`);
    expect(typeof code === 'number' && code !== 0).toBe(true);
    expect(nonEmptyLines(output)).toHaveLength(1);
    expect(output).toMatch(/cannot start/);
    expect(ms).toBeLessThan(8000); // the process's own start (tsx) is most of it; no retries
  }, 30000);

  it('with FREEZER_API_DB_WAIT_SECONDS=20 retries, one line per attempt, and serves once the database is up', async () => {
    await database.stop();
    const starting = serve({ FREEZER_API_DB_WAIT_SECONDS: '20' });
    await sleep(4000);
    await database.start();
    const server = await starting;
    const lines = nonEmptyLines(server.output());
    const attempts = lines.slice(
      0,
      lines.findIndex((l) => /listening on/.test(l)),
    );
    console.log(
      `start with the database down for 4 s, waiting: ${attempts.length} lines before listening:\n  ${attempts.join('\n  ')}`,
    );
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts.filter((l) => !/database/i.test(l))).toEqual([]);
    expect(server.output()).not.toMatch(STACK_LINE);

    expect((await timedExchange(server.url, { method: 'GET', path: '/healthcheck', agent: false })).status).toBe(200);
    const created = await timedExchange(server.url, {
      method: 'POST',
      path: '/v2/proj-wait/backups',
      agent: false,
      json: backupDocument('waited', 0),
    });
    expect(created.status).toBe(201);
  }, 45000);
});

// ---- the load: several loops of creates, PATCHes, reads and lists, every answer recorded ----

type Op =
  'create backup' | 'patch backup' | 'get backup' | 'list backups' | 'create job' | 'patch job' | 'get job' | 'healthcheck';
/** An answer (or how the connection failed), timed. */
type Answer = TimedResponse & Exchange;
type Outcome = Answer & { op: Op };

/** A written resource: the last PATCH sequence number acknowledged, and the highest sent. */
interface Written {
  acked: number;
  sent: number;
}

const WORKERS = 6;
/** Between one worker's requests, so that fast 503s do not turn the loops into a flood. */
const PAUSE_MS = 15;
const CLIENT_ID = 'faults-node';
const USER = { 'X-User-Id': 'faults-user' };

const backupDocument = (name: string, seq: number) => ({
  backup_name: name,
  container: 'c1',
  hostname: 'node1',
  time_stamp: 1700000000,
  seq,
});
const jobDocument = (jobId: string) => ({
  job_id: jobId,
  client_id: CLIENT_ID,
  description: 'seq-0',
  job_action: { action: 'backup', backup_name: 'b', container: 'c', path_to_backup: '/etc', max_level: '3' },
  job_schedule: { schedule_interval: '1 days' },
});

interface Load {
  outcomes: Outcome[];
  /** Created with a 2xx, by id. */
  backups: Map<string, Written>;
  jobs: Map<string, Written>;
  /** Job ids whose create was not acknowledged: stored or not, either is allowed. */
  unacknowledgedJobs: string[];
  prefix: string;
  acknowledgedWrites(): number;
  stop(): Promise<void>;
  /** Waits for the first 2xx API answer and healthcheck 200 sent after `since`: how many ms after `since` each came. */
  recovered(since: number, waitMs: number): Promise<{ api: number; health: number }>;
}

async function startLoad(base: string, project: string): Promise<Load> {
  const prefix = `/v2/${project}`;
  const registered = await timedExchange(base, {
    method: 'POST',
    path: `${prefix}/clients`,
    agent: false,
    json: { client_id: CLIENT_ID },
    headers: USER,
  });
  expect(registered.status).toBe(201);
  const outcomes: Outcome[] = [];
  const backups = new Map<string, Written>();
  const jobs = new Map<string, Written>();
  const unacknowledgedJobs: string[] = [];
  let stopped = false;

  const send = async (op: Op, method: string, path: string, json?: unknown, headers: Record<string, string> = {}) => {
    const res = await timedExchange(base, {
      method,
      path,
      agent: false,
      json,
      headers: { ...USER, ...headers },
      timeoutMs: 15000,
    });
    outcomes.push({ ...res, op });
    return res;
  };

  const worker = async (w: number) => {
    const mine = { backups: [] as string[], jobs: [] as string[] };
    let seq = 0;
    for (let step = 0; !stopped; step++) {
      const backupId = mine.backups[step % Math.max(1, mine.backups.length)];
      const jobId = mine.jobs[step % Math.max(1, mine.jobs.length)];
      switch (step % 7) {
        case 0: {
          const res = await send('create backup', 'POST', `${prefix}/backups`, backupDocument(`w${w}-${step}`, 0));
          if (res.status === 201) {
            const id = (res.body as { backup_id: string }).backup_id;
            mine.backups.push(id);
            backups.set(id, { acked: 0, sent: 0 });
          }
          break;
        }
        case 1:
          if (backupId) {
            const written = backups.get(backupId)!;
            written.sent = ++seq;
            const res = await send('patch backup', 'PATCH', `${prefix}/backups/${backupId}`, { backup_metadata: { seq } });
            if (res.status === 200) written.acked = Math.max(written.acked, seq);
          }
          break;
        case 2:
          if (backupId) await send('get backup', 'GET', `${prefix}/backups/${backupId}`);
          break;
        case 3:
          await send('list backups', 'GET', `${prefix}/backups?limit=20`);
          break;
        case 4: {
          const id = `${project}-w${w}-${step}`;
          const res = await send('create job', 'POST', `${prefix}/jobs`, jobDocument(id));
          if (res.status === 201) {
            mine.jobs.push(id);
            jobs.set(id, { acked: 0, sent: 0 });
          } else {
            unacknowledgedJobs.push(id);
          }
          break;
        }
        case 5:
          if (jobId) {
            const written = jobs.get(jobId)!;
            written.sent = ++seq;
            const res = await send('patch job', 'PATCH', `${prefix}/jobs/${jobId}`, { description: `seq-${seq}` });
            if (res.status === 200) written.acked = Math.max(written.acked, seq);
          }
          break;
        case 6:
          if (jobId) await send('get job', 'GET', `${prefix}/jobs/${jobId}`);
          break;
      }
      await sleep(PAUSE_MS);
    }
  };

  const healthProbe = async () => {
    while (!stopped) {
      await send('healthcheck', 'GET', '/healthcheck');
      await sleep(150);
    }
  };

  const running = Promise.all([...Array.from({ length: WORKERS }, (_, w) => worker(w)), healthProbe()]);
  const load: Load = {
    outcomes,
    backups,
    jobs,
    unacknowledgedJobs,
    prefix,
    acknowledgedWrites: () =>
      outcomes.filter((o) => o.op !== 'healthcheck' && o.method !== 'GET' && o.status >= 200 && o.status < 300).length,
    async stop() {
      stopped = true;
      await running;
    },
    async recovered(since: number, waitMs: number) {
      const first = (pick: (o: Outcome) => boolean) => outcomes.find((o) => o.startedAt >= since && pick(o));
      const api = (o: Outcome) => o.op !== 'healthcheck' && o.status >= 200 && o.status < 300;
      const health = (o: Outcome) => o.op === 'healthcheck' && o.status === 200;
      const deadline = performance.now() + waitMs;
      while ((!first(api) || !first(health)) && performance.now() < deadline) await sleep(50);
      const at = (o: Outcome | undefined) => (o ? Math.round(o.endedAt - since) : Infinity);
      return { api: at(first(api)), health: at(first(health)) };
    },
  };
  loads.push(load);
  return load;
}

const EXPECTED_STATUS: Record<Op, number> = {
  'create backup': 201,
  'patch backup': 200,
  'get backup': 200,
  'list backups': 200,
  'create job': 201,
  'patch job': 200,
  'get job': 200,
  healthcheck: 200,
};

/**
 * Everything wrong with the answers, one line each: no answer (reset, refused, timeout), a status
 * other than the operation's own or 503, a 503 without Retry-After or the error body, an answer
 * slower than the bound. And the spec check of every answer.
 */
function summarise(outcomes: Outcome[]) {
  const problems: string[] = [];
  for (const o of outcomes) {
    if (o.error) problems.push(`no answer: ${describeOutcome(o)}`);
    else if (o.status !== EXPECTED_STATUS[o.op] && o.status !== 503) problems.push(`unexpected status: ${describeOutcome(o)}`);
    else if (o.status === 503 && o.op === 'healthcheck' && o.text !== 'DATABASE UNAVAILABLE')
      problems.push(`healthcheck 503 says: ${describeOutcome(o)}`);
    else if (o.status === 503 && o.op !== 'healthcheck') {
      if (!/^\d+$/.test(String(o.headers['retry-after'])))
        problems.push(`503 without a Retry-After in whole seconds: ${describeOutcome(o)}`);
      else if (!isUnavailable(o)) problems.push(`503 body: ${describeOutcome(o)}`);
    }
    if (o.ms > ANSWER_BOUND_MS) problems.push(`slower than ${ANSWER_BOUND_MS} ms: ${describeOutcome(o)}`);
    // An outage's answers are the server's own, with its headers, not some fallback's.
    if (!o.error && o.headers['x-content-type-options'] !== 'nosniff') problems.push(`no nosniff: ${describeOutcome(o)}`);
  }
  const specProblems = Promise.all(outcomes.filter((o) => !o.error).map((o) => conformanceErrors(o))).then((lists) => [
    ...new Set(lists.flat()),
  ]);
  return {
    requests: outcomes.length,
    unavailable: outcomes.filter((o) => o.status === 503).length,
    slowestMs: Math.round(Math.max(0, ...outcomes.map((o) => o.ms))),
    // The first 20 of each kind are enough to see what broke.
    problems: [...new Set(problems)].slice(0, 40),
    specProblems,
  };
}

function describeOutcome(o: Answer & { op?: string }): string {
  const answer = o.error ?? `${o.status} ${o.text.slice(0, 120)}`;
  return `${o.op ?? ''} ${o.method} ${o.path} at ${Math.round(o.startedAt)} ms -> ${answer} (${Math.round(o.ms)} ms)`;
}

/**
 * Every backup and job created with a 2xx is there, and holds the last acknowledged PATCH or a
 * later one (a PATCH answered 503 may still have been applied). Job creates answered 503 are
 * counted when stored anyway.
 */
async function readBackAcknowledged(base: string, load: Load) {
  const missing: string[] = [];
  const older: string[] = [];
  let found = 0;
  const check = async (kind: 'backups' | 'jobs', id: string, written: Written) => {
    const res = await timedExchange(base, { method: 'GET', path: `${load.prefix}/${kind}/${id}`, agent: false, headers: USER });
    if (res.status !== 200) return missing.push(`${kind}/${id}: ${res.status || res.error} ${res.text.slice(0, 100)}`);
    found++;
    const body = res.body as { backup_metadata?: { seq: number }; description?: string };
    const stored = kind === 'backups' ? body.backup_metadata!.seq : Number(body.description!.replace('seq-', ''));
    if (stored < written.acked || stored > written.sent)
      older.push(`${kind}/${id}: seq ${stored}, acknowledged ${written.acked}, sent up to ${written.sent}`);
  };
  const all = [
    ...[...load.backups].map(
      ([id, w]) =>
        () =>
          check('backups', id, w),
    ),
    ...[...load.jobs].map(
      ([id, w]) =>
        () =>
          check('jobs', id, w),
    ),
  ];
  for (let i = 0; i < all.length; i += 10) await Promise.all(all.slice(i, i + 10).map((f) => f()));
  let unacknowledgedStored = 0;
  for (const id of load.unacknowledgedJobs) {
    if (
      (await timedExchange(base, { method: 'GET', path: `${load.prefix}/jobs/${id}`, agent: false, headers: USER })).status ===
      200
    )
      unacknowledgedStored++;
  }
  return { expected: all.length, found, missing, older, unacknowledged: load.unacknowledgedJobs.length, unacknowledgedStored };
}

const STACK_LINE = /^\s+at /m;
const nonEmptyLines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

/**
 * Stops the server (SIGTERM: it writes the counts it still holds) and holds its log to: a line per
 * failed request or a summary counting them, so that it accounts for every 503 the API answered
 * (healthchecks are not failures), and never a stack trace.
 */
async function expectFailuresLoggedInLines(server: ServerProcess, outcomes: Outcome[]) {
  const apiFailures = outcomes.filter((o) => o.op !== 'healthcheck' && o.status >= 500).length;
  server.child.kill('SIGTERM');
  const code = await exitWithin(server, SHUTDOWN_TIMEOUT_S * 1000 + 3000);
  const output = server.output();
  const lines = nonEmptyLines(output).filter((l) => !/listening on|draining/.test(l));
  const single = lines.filter((l) => / -> 5\d\d: /.test(l)).length;
  const summarised = [...output.matchAll(/(\d+) more requests failed/g)].reduce((n, m) => n + Number(m[1]), 0);
  console.log(
    `server log: ${lines.length} lines for ${apiFailures} failed API requests (${single} logged one by one, ${summarised} in summaries); exit ${code}`,
  );
  expect(output).not.toMatch(STACK_LINE);
  expect(lines.length).toBeLessThanOrEqual(apiFailures + 10);
  expect(single + summarised).toBe(apiFailures);
  expect(code).toBe(0);
}
