// Spec-driven fuzzing over real HTTP, on every engine: at least 10,000 requests per run, drawn by
// test/helpers/spec-arbitraries.ts from spec/openapi.yaml's own schemas for every operation
// (valid, near-valid and mutated path parameters, query strings, headers and JSON bodies), sent
// as several callers, mostly at resources of theirs that exist. What must hold for every one:
// no answer is a 5xx (a client's mistake is a 4xx, never a crash or a leaked database error),
// and every answer is one the spec declares for the operation, with a body valid against its
// schema (the test server's helper checks each). Resources the requests delete or change are
// put back every few hundred requests, so gets, replaces, patches and deletes keep finding them.
//
// After a large body, the connection must still carry a request unless the answer said
// `Connection: close`. Every operation must succeed at least once, so that the requests are known
// to reach the handlers, not only the validators.
//
// The seed is new on every run and printed; a failure prints the seed and fast-check's path to the
// (shrunk) request: FUZZ_SEED=<seed> FUZZ_PATH=<path> replays it. FUZZ_RUNS changes the count;
// FUZZ_KEEP_GOING=1 runs them all and lists every kind of failure (to see past a known one).
import http from 'node:http';
import { randomInt } from 'node:crypto';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { engineRows } from '../helpers/engines';
import { checkEach } from '../helpers/failures';
import { probeConnection, startTestServer, type TestServer } from '../helpers/http';
import { specApi } from '../helpers/spec';
import {
  RequestArbitraries,
  resolve,
  specOperations,
  type Context,
  type RequestPlan,
  type ResolvedRequest,
  type World,
} from '../helpers/spec-arbitraries';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? randomInt(2 ** 31));
const PATH = process.env.FUZZ_PATH;
/** Do not stop at the first failure: run them all and list every kind of failure met (to see past a known bug). */
const KEEP_GOING = Boolean(process.env.FUZZ_KEEP_GOING);
/** Put back what the requests deleted or changed this often, and the clients jobs need more often. */
const RESTORE_EVERY = 200;
const RESTORE_CLIENTS_EVERY = 50;
/**
 * After a body this large (the server may answer before reading all of it) the connection must
 * still carry a request, unless the answer said `Connection: close`: checked at once, so that a
 * broken connection is blamed on the request that broke it.
 */
const PROBE_AFTER_BYTES = 64 * 1024;

const P1 = 'fz-p1';
const P2 = 'fz-p2';
const ALICE = { 'X-User-Id': 'fz-alice' };
const CAROL = { 'X-User-Id': 'fz-carol' };

/** Where the fixtures live: a v2 project and its member, or v1 (a user without a project). */
interface Owner {
  prefix: string;
  headers: Record<string, string>;
  jobs: string[];
  actions: string[];
  /** It holds every one of the owner's jobs, so that the session handshake finds them. */
  session: string;
  /** The latest backups' ids (the server's), newest first. */
  backups: string[];
}
// Ids are unique in the whole service, so each owner has ids of its own.
const OWNERS = {
  p1: {
    prefix: `/v2/${P1}`,
    headers: ALICE,
    jobs: ['fz-job-1', 'fz-job-2', 'fz-job-3'],
    actions: ['fz-action-1', 'fz-action-2'],
    session: 'fz-session-1',
    backups: [],
  },
  p2: { prefix: `/v2/${P2}`, headers: CAROL, jobs: ['fz-job-4'], actions: ['fz-action-3'], session: 'fz-session-2', backups: [] },
  v1: { prefix: '/v1', headers: ALICE, jobs: ['fz-job-5'], actions: ['fz-action-4'], session: 'fz-session-3', backups: [] },
} satisfies Record<string, Owner>;
const ALL_OWNERS: Owner[] = Object.values(OWNERS);

const CLIENTS = ['fz-node1', 'fz-node2'];
const STEP = { freezer_action: { action: 'backup', mode: 'fs', backup_name: 'fz', container: 'fz', path_to_backup: '/etc' } };
const BACKUP = { backup_name: 'fz-backup', container: 'fz-container', hostname: 'fz-host', level: 0, time_stamp: 1700000000 };
/** How many of each owner's latest backups the requests aim at. */
const BACKUP_POOL = 6;

/** What a caller can reach of an owner's: the path parameters that name them. */
const reach = (owner: Owner, project: string): Context['known'] => ({
  project_id: [project],
  client_id: CLIENTS,
  job_id: owner.jobs,
  action_id: owner.actions,
  session_id: [owner.session],
  backup_id: owner.backups, // the same array: restores refill it
});

/**
 * Who sends the requests, and at what: mostly members at their project's resources (v2 in project
 * scope, so bob reaches alice's; v1 as the user in a project, or without one), sometimes a
 * reader, an admin, a service or the default user, whose writes the policy may refuse first.
 */
const CONTEXTS: Context[] = [
  { headers: ALICE, known: reach(OWNERS.p1, P1), weight: 4, paths: /^\/v2\// },
  { headers: { 'X-User-Id': 'fz-bob' }, known: reach(OWNERS.p1, P1), weight: 2, paths: /^\/v2\// },
  { headers: { ...ALICE, 'X-Project-Id': P1 }, known: reach(OWNERS.p1, P1), weight: 2 },
  { headers: { ...CAROL, 'X-Project-Id': P2 }, known: reach(OWNERS.p2, P2), weight: 2 },
  { headers: ALICE, known: reach(OWNERS.v1, P1), weight: 3, paths: /^\/v1\// },
  { headers: { 'X-User-Id': 'fz-reader', 'X-Roles': 'reader' }, known: reach(OWNERS.p1, P1) },
  { headers: { 'X-User-Id': 'fz-admin', 'X-Roles': 'admin', 'X-Project-Id': 'fz-admins' }, known: reach(OWNERS.p2, P2) },
  { headers: { 'X-User-Id': 'fz-service', 'X-Roles': 'service', 'X-Project-Id': 'fz-services' }, known: reach(OWNERS.p1, P1) },
  { headers: {}, known: reach(OWNERS.p2, P2) },
  // The discovery documents and the health check are anyone's.
  { headers: {}, known: {}, paths: /^\/(v1|v2|healthcheck)?$/ },
];

/** Values the schemas cannot guess: what the fixtures are called, what their clients support. */
const HINTS: World['hints'] = {
  client_id: fc.constantFrom(...CLIENTS),
  job_id: fc.constantFrom(...ALL_OWNERS.flatMap((o) => o.jobs)),
  action_id: fc.constantFrom(...ALL_OWNERS.flatMap((o) => o.actions)),
  session_id: fc.constantFrom(...ALL_OWNERS.map((o) => o.session)),
  current_tag: fc.constantFrom(0, 1, '0'),
  'If-Match': fc.constantFrom('"1"', '"2"', '1', '*', 'W/"1"', '"999999999"'),
};

/** What the fixture clients support: a job's steps must stay within it (422 otherwise). */
const CAPABILITIES: World['only'] = {
  action: fc.constantFrom('backup', 'restore', 'info', 'admin', 'exec'),
  mode: fc.constantFrom('fs', 'mysql', 'mongo', 'cinder'),
  storage: fc.constantFrom('local', 'swift', 's3'),
  engine_name: fc.constantFrom('tar', 'rsync'),
};

const WORLD: World = { contexts: CONTEXTS, hints: HINTS, only: CAPABILITIES };

/**
 * How often each operation is drawn. Discovery, health and metrics take no input to speak of: 1. Deletes
 * take only an id, and the fewer fixtures they remove between two restores the better: 2. The
 * session handshake needs a session, one of its jobs and the right tag together: 9. Others: 3.
 */
const weightOf = (operationId: string) =>
  /^(get|head)(Versions|Health|HomeDocument|Liveness|Readiness|Metrics)/.test(operationId)
    ? 1
    : /^delete/.test(operationId)
      ? 2
      : /^postSessionAction/.test(operationId)
        ? 9
        : 3;

const sender = (server: TestServer, agent: http.Agent) => (method: string, owner: Owner, path: string, json?: unknown) =>
  server.request(method, `${owner.prefix}${path}`, { json, headers: owner.headers, agent });

/** The fixture clients, registered again with every capability (requests delete them, or register them with fewer). */
async function restoreClients(server: TestServer, agent: http.Agent): Promise<void> {
  const send = sender(server, agent);
  for (const owner of Object.values(OWNERS)) {
    for (const client_id of CLIENTS) {
      await send('POST', owner, '/clients', {
        client_id,
        hostname: client_id,
        supported_actions: ['backup', 'restore', 'info', 'admin', 'exec'],
        supported_modes: ['fs', 'mongo', 'mysql', 'sqlserver', 'cinder', 'glance', 'cindernative', 'nova'],
        supported_storages: ['local', 'swift', 'ssh', 's3', 'ftp', 'ftps'],
        supported_engines: ['tar', 'rsync', 'rsyncv2', 'nova', 'osbrick', 'glance'],
      });
    }
  }
}

/** The fixtures, made (or put back) through the API itself; the backups' new ids go into their owners' lists. */
async function restoreFixtures(server: TestServer, agent: http.Agent): Promise<void> {
  const send = sender(server, agent);
  await restoreClients(server, agent);
  // Best effort: a request may have taken an id elsewhere (409), which is what it may do.
  for (const owner of ALL_OWNERS) {
    for (const id of owner.jobs)
      await send('POST', owner, `/jobs/${id}`, { client_id: CLIENTS[0], description: id, job_actions: [STEP] });
    for (const id of owner.actions) await send('POST', owner, `/actions/${id}`, { ...STEP, max_retries: 1 });
    await send('POST', owner, `/sessions/${owner.session}`, {
      description: owner.session,
      schedule: { schedule_interval: '1 days' },
      hold_off: 30,
    });
    for (const job of owner.jobs) await send('PUT', owner, `/sessions/${owner.session}/jobs/${job}`);
    const created = await send('POST', owner, '/backups', BACKUP);
    if (created.status === 201) owner.backups.unshift((created.body as { backup_id: string }).backup_id);
    owner.backups.splice(BACKUP_POOL);
  }
}

/** A request, short enough to read in a log: bytes that are not UTF-8 shown escaped. */
function describeRequest(req: ResolvedRequest): string {
  const body =
    req.body === undefined
      ? ''
      : `\n  body (${req.body.length} bytes): ${JSON.stringify(req.body.toString('latin1').slice(0, 2000))}`;
  return `${req.method} ${req.path}\n  headers: ${JSON.stringify(req.headers)}${body}`;
}

/**
 * Requests the fuzzing found answered with a 5xx, tried on every run as they are, each with the
 * answer the spec gives it.
 */
const FOUND: { name: string; method: string; path: string; headers: Record<string, string>; body?: string; status: number }[] = [
  {
    // A merge patch may delete action_defaults (null), which the server then read as an object.
    name: 'a merge patch deleting action_defaults while setting the steps',
    method: 'PATCH',
    path: `/v2/${P1}/jobs/fz-job-1`,
    headers: { ...ALICE, 'Content-Type': 'application/merge-patch+json' },
    body: JSON.stringify({ job_actions: [STEP], action_defaults: null }),
    status: 200,
  },
  {
    name: 'the same in v1',
    method: 'PATCH',
    path: '/v1/jobs/fz-job-5',
    headers: { ...ALICE, 'Content-Type': 'application/merge-patch+json' },
    body: JSON.stringify({ job_actions: [STEP], action_defaults: null }),
    status: 200,
  },
  {
    // A session's status is kept in a column of 32 characters: MariaDB refused longer ones (500).
    name: 'a session whose status is longer than its column',
    method: 'POST',
    path: '/v1/sessions',
    headers: { ...ALICE, 'Content-Type': 'application/json' },
    body: JSON.stringify({ schedule: {}, status: 'x'.repeat(33) }),
    status: 400,
  },
];

describe.each(engineRows)('fuzzing on %s', (name, engine) => {
  let server: TestServer;
  const keepAlive = () => new http.Agent({ keepAlive: true, maxSockets: 1 });
  let agent = keepAlive();

  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(async () => {
    agent.destroy();
    await server?.close();
  });

  it("draws valid values that the spec's own schemas accept", async () => {
    // Else "valid" would mean nothing: a schema keyword the arbitraries misread shows up here.
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    const values = new RequestArbitraries(WORLD, []).values;
    const invalid: string[] = [];
    for (const op of specOperations(await specApi())) {
      const schemas = [
        ...(op.body?.media ?? []).map((m) => [`${op.operationId} body (${m.type})`, m.schema] as const),
        ...op.parameters.map((p) => [`${op.operationId} ${p.in} ${p.name}`, p.schema] as const),
      ];
      for (const [where, schema] of schemas) {
        const validate = ajv.compile(schema);
        for (const value of fc.sample(values.value(schema, 'valid'), { numRuns: 30, seed: SEED })) {
          if (!validate(value))
            invalid.push(`${where}: ${JSON.stringify(value)?.slice(0, 200)} ${ajv.errorsText(validate.errors)}`);
        }
      }
    }
    expect(invalid.slice(0, 5)).toEqual([]);
  });

  it('answers the requests fuzzing found as the spec says', async () => {
    await restoreFixtures(server, agent);
    await checkEach(
      FOUND,
      async ({ method, path, headers, body, status }) => {
        const res = await server.request(method, path, { raw: body, headers, agent });
        if (res.status !== status) throw new Error(`answered ${res.status}, not ${status}: ${res.text}`);
      },
      (found) => found.name,
    );
  });

  it(`answers every generated request without a 5xx and as the spec says (seed ${SEED})`, async () => {
    const operations = specOperations(await specApi());
    const requests = new RequestArbitraries(WORLD, operations).any(
      operations,
      Object.fromEntries(operations.map((op) => [op.operationId, weightOf(op.operationId)])),
    );
    const statuses = new Map<number, number>();
    const successes = new Map<string, number>();
    let sent = 0;
    let lastFailure: { request: ResolvedRequest; error: unknown } | undefined;
    /** With FUZZ_KEEP_GOING: the first failure of each kind (operation, status or spec problem). */
    const kinds = new Map<string, { count: number; example: string }>();

    const property = fc.asyncProperty(requests, async (plan: RequestPlan) => {
      if (sent % RESTORE_EVERY === 0) await restoreFixtures(server, agent);
      else if (sent % RESTORE_CLIENTS_EVERY === 0) await restoreClients(server, agent);
      const request = resolve(plan, WORLD);
      sent++;
      try {
        const res = await server.request(request.method, request.path, {
          raw: request.body,
          headers: request.headers,
          rawPath: true,
          agent,
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status < 400) successes.set(plan.operationId, (successes.get(plan.operationId) ?? 0) + 1);
        if (res.status >= 500) throw new Error(`answered ${res.status}: ${res.text}`);
        if ((request.body?.length ?? 0) >= PROBE_AFTER_BYTES && res.headers.connection !== 'close') {
          const next = await probeConnection(server, agent);
          if (next !== '200') {
            agent.destroy();
            agent = keepAlive();
            throw new Error(
              `answered ${res.status} with Connection: ${String(res.headers.connection)}, but the connection then failed (${next})`,
            );
          }
        }
      } catch (error) {
        lastFailure = { request, error };
        if (!KEEP_GOING) throw error;
        const message = error instanceof Error ? error.message : String(error);
        const kind = `${plan.operationId}: ${message
          .split('\n')[0]!
          .replace(/^\S+ \S+ -> /, '')
          .slice(0, 120)}`;
        const seen = kinds.get(kind) ?? { count: 0, example: `${describeRequest(request)}\n  ${message}` };
        kinds.set(kind, { ...seen, count: seen.count + 1 });
      }
    });
    const started = Date.now();
    const details = await fc.check(property, {
      numRuns: RUNS,
      seed: SEED,
      path: PATH,
      // Shrinking sends requests too; a failure found is reported even if shrinking is cut short.
      interruptAfterTimeLimit: 240_000,
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const tally = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`);
    const neverSucceeded = operations.map((op) => op.operationId).filter((id) => !successes.has(id));
    const coverage = PATH ? '' : `; operations never succeeding: ${neverSucceeded.join(', ') || 'none'}`;
    console.log(`fuzz ${name}: ${sent} requests in ${seconds} s, seed ${SEED}; statuses ${tally.join(' ')}${coverage}`);

    if (details.failed) {
      const replay = `FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? '(none: interrupted)'}`;
      const failure = lastFailure
        ? `${describeRequest(lastFailure.request)}\n  ${lastFailure.error instanceof Error ? lastFailure.error.message : String(lastFailure.error)}`
        : 'no failing request (the run was interrupted)';
      const message = `fuzz ${name} failed after ${details.numRuns} runs and ${details.numShrinks} shrinks; replay with ${replay}\n${failure}`;
      console.log(message);
      throw new Error(message);
    }
    if (kinds.size) {
      const list = [...kinds].map(([kind, { count, example }]) => `${count}× ${kind}\n${example}`);
      throw new Error(`fuzz ${name}: ${kinds.size} kinds of failure\n${list.join('\n')}`);
    }
    if (PATH) return; // a replay runs the one request
    expect(details.numRuns).toBeGreaterThanOrEqual(RUNS);
    // The generator must reach the handlers: every operation succeeded (2xx, or 300 for GET /) at least once.
    expect(neverSucceeded).toEqual([]);
  }, 300_000);
});
