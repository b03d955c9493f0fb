// Two server processes on one database, as a deployment with two replicas (or a second instance
// started beside the first) runs them: requests split across both must serialise in the database,
// since neither process sees the other's requests in flight. Concurrent PATCHes with one If-Match
// have exactly one winner and leave the winner's change alone; concurrent PATCHes of distinct keys
// lose none; concurrent job events, session membership changes and session starts and ends end in
// a state some serial order of the acknowledged requests gives (and at the version that many
// writes give); two processes started at the same moment on a new database both come up. On
// MariaDB (when FREEZER_TEST_MYSQL_URL names one; reported as skipped otherwise, and an error in
// CI, see engines.ts) and on a SQLite file (which two processes share through SQLite's locks).
import { ENGINES, engineRows } from '../helpers/engines';
import { checkedRequests, type TestServer } from '../helpers/http';
import { databaseForProcess } from '../helpers/process-database';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import type { Exchange } from '../helpers/spec';

type Doc = Record<string, unknown>;

const CONCURRENT = 50;
const PREFIX = '/v2/proj-two-processes';
const HEADERS = { 'X-User-Id': 'racer' };
const step = (name: string) => ({ freezer_action: { action: 'backup', mode: 'fs', backup_name: name, path_to_backup: '/etc' } });

/** Stops a server process as operators do, with SIGTERM (it drains and exits); SIGKILL after 10 s. */
async function stop(server: ServerProcess): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  const timer = new Promise((resolve) => setTimeout(resolve, 10_000).unref());
  if ((await Promise.race([server.exited, timer.then(() => 'timeout')])) === 'timeout') await server.kill();
}

const envFor = (databaseUrl: string) => ({ FREEZER_API_DATABASE_URL: databaseUrl, FREEZER_API_AUTH: 'noauth' });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const countOf = <T>(items: T[], pick: (item: T) => unknown) =>
  items.reduce<Record<string, number>>((counts, item) => {
    const key = String(pick(item));
    counts[key] = (counts[key] ?? 0) + 1;
    return counts;
  }, {});

type JobEvent = 'start' | 'stop' | 'abort';
const EVENTS: JobEvent[] = ['start', 'stop', 'abort'];

/**
 * Whether some serial order of the acknowledged events gives these answers and ends at `final`.
 * In any serial order an event answers `success` exactly when the job's event is another one
 * before it, so the successes form a sequence with no event twice in a row, starting from
 * `initial` and ending at `final`; and an "already requested" fits right after a success of its
 * event (or at the start, when it is the initial one). Tried exhaustively (memoised on the counts).
 */
function fitsSomeSerialOrder(
  initial: string,
  success: Record<JobEvent, number>,
  already: Record<JobEvent, number>,
  final: string,
) {
  if (EVENTS.some((e) => already[e] > 0 && success[e] === 0 && initial !== e)) return false;
  const memo = new Map<string, boolean>();
  const arrange = (last: string, left: Record<JobEvent, number>): boolean => {
    if (EVENTS.every((e) => left[e] === 0)) return last === final;
    const key = `${last}:${EVENTS.map((e) => left[e]).join(',')}`;
    if (!memo.has(key)) {
      memo.set(
        key,
        EVENTS.some((e) => e !== last && left[e] > 0 && arrange(e, { ...left, [e]: left[e] - 1 })),
      );
    }
    return memo.get(key)!;
  };
  return arrange(initial, success);
}

if (!ENGINES.some((engine) => engine.name === 'mysql')) {
  describe.skip('two server processes on one MariaDB database (needs MariaDB: set FREEZER_TEST_MYSQL_URL)', () => {
    it('runs on MariaDB', () => {});
  });
}

describe.each(engineRows)('two server processes on one %s database', (engineName, engine) => {
  let database: { url: string; drop(): Promise<void> } | undefined;
  const processes: ServerProcess[] = [];
  let servers: TestServer['request'][] = [];

  /** A request through process `i % 2`, timed: when it was sent and when its answer had arrived. */
  async function via(i: number, method: string, path: string, json?: unknown, headers: Record<string, string> = {}) {
    const sentAt = performance.now();
    const res = await servers[i % 2]!(method, path, { headers: { ...HEADERS, ...headers }, json });
    return Object.assign(res, { sentAt, answeredAt: performance.now() });
  }
  async function must(res: Promise<Exchange>, status: number): Promise<Doc> {
    const done = await res;
    if (done.status !== status)
      throw new Error(`${done.method} ${done.path}: expected ${status}, got ${done.status} ${done.text}`);
    return done.body as Doc;
  }
  /** The document as each process reads it; both must read the same. */
  async function read(path: string): Promise<Doc> {
    const [first, second] = await Promise.all([must(via(0, 'GET', path), 200), must(via(1, 'GET', path), 200)]);
    expect(second).toEqual(first);
    return first;
  }
  const actionCount = async () => ((await must(via(0, 'GET', `${PREFIX}/actions?limit=1000`), 200)).actions as unknown[]).length;
  const newJob = async (extra: Doc = {}) =>
    (await must(via(0, 'POST', `${PREFIX}/jobs`, { client_id: 'node1', job_actions: [step('first')], ...extra }), 201))
      .job_id as string;

  beforeAll(async () => {
    database = await databaseForProcess(engine);
    // One after the other: the first creates the schema (both at once: the last test).
    processes.push(await startServerProcess(envFor(database.url)));
    processes.push(await startServerProcess(envFor(database.url)));
    servers = processes.map((p) => checkedRequests(p.url));
    await must(via(0, 'POST', `${PREFIX}/clients`, { client_id: 'node1' }), 201);
  }, 120_000);
  afterAll(async () => {
    // What the servers logged as failed (a 500's cause), for the CI log.
    for (const p of processes) {
      const failed = p
        .output()
        .split('\n')
        .filter((line) => /-> 5\d\d: |failed the same way/.test(line));
      if (failed.length) console.log(`a server on ${engineName} logged:\n${failed.slice(0, 6).join('\n')}`);
    }
    await Promise.all(processes.map(stop));
    await database?.drop();
  });

  describe(`${CONCURRENT} concurrent PATCHes of one job with the same If-Match`, () => {
    it.each([
      ['its own row alone (description)', (i: number): Doc => ({ description: `writer-${i}` }), 'description'],
      [
        'its steps, stored as actions in the same transaction (job_actions)',
        (i: number): Doc => ({ job_actions: [step(`writer-${i}`)] }),
        'job_actions',
      ],
    ])(
      "changing %s: exactly one wins, the others are 412, and the job has the winner's change alone",
      async (_what, change, key) => {
        const id = await newJob({ description: 'first' });
        const before = await read(`${PREFIX}/jobs/${id}`);
        const version = before.version as number;
        const actionsBefore = await actionCount();

        const answers = await Promise.all(
          range(CONCURRENT).map((i) => via(i, 'PATCH', `${PREFIX}/jobs/${id}`, change(i), { 'If-Match': `"${version}"` })),
        );

        const statuses = countOf(answers, (a) => a.status);
        console.log(`two processes on ${engineName}, If-Match race on ${key}: ${JSON.stringify(statuses)} of ${CONCURRENT}`);
        const winners = range(CONCURRENT).filter((i) => answers[i]!.status === 200);
        expect(winners).toHaveLength(1);
        const winner = winners[0]!;
        expect(answers[winner]!.body).toEqual({ job_id: id, version: version + 1 });
        const stale = {
          title: 'Precondition Failed',
          description: `The job was changed since version ${version} (it is at version ${version + 1}); read it again and retry.`,
        };
        expect(answers.filter((a) => a.status !== 200).map((a) => [a.status, a.body])).toEqual(
          range(CONCURRENT - 1).map(() => [412, stale]),
        );

        const after = await read(`${PREFIX}/jobs/${id}`);
        const { [key]: changed, version: newVersion, ...rest } = after;
        const { [key]: _old, version: _v, ...restBefore } = before;
        expect(rest).toEqual(restBefore);
        expect(newVersion).toBe(version + 1);
        if (key === 'description') expect(changed).toBe(`writer-${winner}`);
        else {
          expect(changed).toEqual([expect.objectContaining(step(`writer-${winner}`))]);
          // The losers' steps were stored in transactions that rolled back: only the winner's is there.
          expect(await actionCount()).toBe(actionsBefore + 1);
        }
      },
    );
  });

  describe(`${CONCURRENT} concurrent merge PATCHes of distinct keys without If-Match`, () => {
    it.each([
      [
        "an action's freezer_action (a conditional UPDATE, retried in a transaction when it loses)",
        async () => (await must(via(0, 'POST', `${PREFIX}/actions`, step('keys')), 201)).action_id as string,
        'actions',
        'freezer_action',
      ],
      [
        "a job's job_action (each in a transaction, since a changed step is checked against the client)",
        () => newJob({ job_actions: undefined, job_action: { action: 'backup', mode: 'fs' } }),
        'jobs',
        'job_action',
      ],
    ] as const)('%s: every key arrives, each write at its own version', async (_what, create, kind, key) => {
      const id = await create();
      const path = `${PREFIX}/${kind}/${id}`;
      const before = await read(path);
      const version = before.version as number;

      const answers = await Promise.all(
        range(CONCURRENT).map((i) =>
          via(i, 'PATCH', path, { [key]: { [`key_${i}`]: i } }, { 'Content-Type': 'application/merge-patch+json' }),
        ),
      );

      console.log(
        `two processes on ${engineName}, distinct keys of ${kind}.${key}: ${JSON.stringify(countOf(answers, (a) => a.status))}`,
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
      // Each write got its own version: a serial order of the 50, one after the other.
      expect(answers.map((a) => (a.body as Doc).version as number).sort((x, y) => x - y)).toEqual(
        range(CONCURRENT).map((i) => version + 1 + i),
      );
      const after = await read(path);
      expect(after.version).toBe(version + CONCURRENT);
      expect(after[key]).toEqual({
        ...(before[key] as Doc),
        ...Object.fromEntries(range(CONCURRENT).map((i) => [`key_${i}`, i])),
      });
    });
  });

  it('concurrent start, stop and abort events end as some serial order of the acknowledged ones would', async () => {
    const id = await newJob({ job_schedule: { status: 'completed', result: 'success' } });
    const before = await read(`${PREFIX}/jobs/${id}`);
    const version = before.version as number;
    const events = range(60).map((i) => EVENTS[(i + Math.floor(i / 3)) % 3]!);

    const answers = await Promise.all(events.map((event, i) => via(i, 'POST', `${PREFIX}/jobs/${id}/event`, { [event]: null })));

    const acknowledged = range(events.length).filter((i) => answers[i]!.status === 202);
    const results = (event: JobEvent, result: string) =>
      acknowledged.filter((i) => events[i] === event && (answers[i]!.body as Doc).result === result).length;
    const success = { start: results('start', 'success'), stop: results('stop', 'success'), abort: results('abort', 'success') };
    const already = {
      start: results('start', 'start already requested'),
      stop: results('stop', 'stop already requested'),
      abort: results('abort', 'abort already requested'),
    };
    console.log(
      `two processes on ${engineName}, job events: ${acknowledged.length} of ${events.length} acknowledged; ` +
        `success ${JSON.stringify(success)}, already requested ${JSON.stringify(already)}`,
    );

    const after = await read(`${PREFIX}/jobs/${id}`);
    const schedule = after.job_schedule as Doc;
    const successes = success.start + success.stop + success.abort;
    // One write per success, none for a repeat.
    expect(after.version).toBe(version + successes);
    expect(fitsSomeSerialOrder('', success, already, String(schedule.event))).toBe(true);
    // A start clears the last run's outcome; stop and abort leave it.
    expect([schedule.status, schedule.result]).toEqual(success.start > 0 ? ['', ''] : ['completed', 'success']);
    expect(acknowledged).toHaveLength(events.length);
  });

  it('40 jobs added to one session at once are all in it; their concurrent starts open one run, and their ends close it once', async () => {
    const JOBS = 40;
    const EXTRA_STARTS = 10;
    const session = (
      await must(
        via(0, 'POST', `${PREFIX}/sessions`, { description: 'race', schedule: { schedule_interval: '1 days' }, hold_off: 3600 }),
        201,
      )
    ).session_id as string;
    const path = `${PREFIX}/sessions/${session}`;
    const jobs = await Promise.all(range(JOBS).map(() => newJob()));
    const created = await read(path);

    // Membership: each add writes the session and the job, under the session's row lock.
    const adds = await Promise.all(jobs.map((job, i) => via(i, 'PUT', `${path}/jobs/${job}`)));
    expect(adds.map((a) => a.status)).toEqual(adds.map(() => 204));
    const filled = await read(path);
    expect(Object.keys(filled.jobs as Doc).sort()).toEqual([...jobs].sort());
    expect(filled.version).toBe((created.version as number) + JOBS);
    for (const job of jobs) expect(await read(`${PREFIX}/jobs/${job}`)).toMatchObject({ session_id: session, session_tag: 0 });

    // Starts: every job with tag 0 (one opens the run, the rest join it), and some with tag 1,
    // too high until the run is open and then "hold-off".
    const starts = [
      ...jobs.map((job) => ({ job_id: job, current_tag: 0 })),
      ...jobs.slice(0, EXTRA_STARTS).map((job) => ({ job_id: job, current_tag: 1 })),
    ].sort((a, b) => a.job_id.localeCompare(b.job_id) || a.current_tag - b.current_tag);
    const started = await Promise.all(starts.map((start, i) => via(i, 'POST', `${path}/action`, { start })));
    const tagZero = started.filter((_, i) => starts[i]!.current_tag === 0);
    const tagOne = started.filter((_, i) => starts[i]!.current_tag === 1);
    console.log(
      `two processes on ${engineName}, session starts: tag 0 ${JSON.stringify(countOf(tagZero, (a) => a.status))}, ` +
        `tag 1 ${JSON.stringify(countOf(tagOne, (a) => (a.status === 202 ? (a.body as Doc).result : a.status)))}`,
    );
    expect(tagZero.map((a) => [a.status, a.body])).toEqual(tagZero.map(() => [202, { result: 'success', session_tag: 1 }]));
    const tooHigh = { title: 'Bad Request', description: 'requested tag value too high. Session Tag: 0 Job Tag: 1' };
    for (const a of tagOne) {
      expect([
        [400, tooHigh],
        [202, { result: 'hold-off', session_tag: 1 }],
      ]).toContainEqual([a.status, a.body]);
    }
    // A tag-1 start answered "too high" came before the run opened: before any tag-0 start was answered.
    const firstAnswered = Math.min(...tagZero.map((a) => a.answeredAt));
    expect(tagOne.filter((a) => a.status === 400 && a.sentAt > firstAnswered)).toEqual([]);
    const running = await read(path);
    expect(running).toMatchObject({ session_tag: 1, status: 'running' });
    expect(Object.values(running.jobs as Record<string, Doc>).map((j) => j.status)).toEqual(jobs.map(() => 'running'));
    // One write opened the run and one per job joined it; hold-offs and refusals wrote nothing.
    expect(running.version).toBe((filled.version as number) + JOBS);

    // Ends: the session completes once every job has, with `fail` as one job failed.
    const ends = await Promise.all(
      jobs.map((job, i) => via(i, 'POST', `${path}/action`, { end: { job_id: job, result: i === 7 ? 'fail' : 'success' } })),
    );
    expect(ends.map((a) => [a.status, a.body])).toEqual(ends.map(() => [202, { result: 'success', session_tag: 1 }]));
    const ended = await read(path);
    expect(ended).toMatchObject({ status: 'completed', result: 'fail', session_tag: 1 });
    expect(
      Object.fromEntries(Object.entries(ended.jobs as Record<string, Doc>).map(([job, j]) => [job, [j.status, j.result]])),
    ).toEqual(Object.fromEntries(jobs.map((job, i) => [job, ['completed', i === 7 ? 'fail' : 'success']])));
    expect(ended.version).toBe((running.version as number) + JOBS);
    expect(ended.time_end as number).toBeGreaterThanOrEqual(ended.time_start as number);
  }, 120_000);

  it('both come up when started at the same moment on a new database (one creates the schema, the other waits for it)', async () => {
    const fresh = await databaseForProcess(engine);
    const started = await Promise.allSettled([startServerProcess(envFor(fresh.url)), startServerProcess(envFor(fresh.url))]);
    try {
      expect(started.map((s) => (s.status === 'fulfilled' ? 'listening' : String(s.reason).split('\n')[1]))).toEqual([
        'listening',
        'listening',
      ]);
    } finally {
      await Promise.all(started.flatMap((s) => (s.status === 'fulfilled' ? [stop(s.value)] : [])));
      await fresh.drop();
    }
  }, 120_000);
});
