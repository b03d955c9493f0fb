// Every read behind a get, a list or a search is answered from an index, on every engine: the
// requests below go through the real server, and each SELECT it sends is EXPLAINed on the same
// database. A full table scan, a full index scan or a sort of all the owner's rows fails the test.
// The server runs in either scope (FREEZER_API_SCOPE): the project's items, or its user's there.
import type { Knex } from 'knex';
import { createStore } from '../../src/db/store';
import { newId } from '../../src/db/ids';
import { engineRows } from '../helpers/engines';
import { startTestServer, type TestServer } from '../helpers/http';
import type { Scope } from '../../src/domain/caller';
import { testCaller } from '../helpers/fixtures';

const TABLES = ['backups', 'clients', 'jobs', 'actions', 'sessions'];
const OWNERS = 10; // the tested user owns a tenth of every table, as one tenant among many would
const USER = 'u0';
/** Half the owners are users of the tested project, the others of other projects. */
const projectOf = (owner: number) => (owner < OWNERS / 2 ? 'p' : `q${owner}`);
const json = (value: unknown) => encodeURIComponent(JSON.stringify(value));

async function seed(db: Knex, byUser: Scope['byUser']) {
  const ids = { backup: '', job: '', action: '', session: '', client: 'p_node1' };
  const { backups, clients, jobs, actions, sessions } = createStore(db);
  for (let owner = 0; owner < OWNERS; owner++) {
    const caller = { ...testCaller(`u${owner}`, projectOf(owner)), byUser };
    const backupIds: string[] = [];
    for (const status of ['available', 'error'] as const)
      backupIds.push(
        ...(await backups.insertMany(
          caller,
          Array.from({ length: status === 'error' ? 30 : 300 }, (_, i) => ({
            backup_name: `b${i}`,
            container: 'c',
            hostname: `node${i % 7}`,
            time_stamp: 1000 + i,
            job_id: `job-${i % 13}`,
          })),
          status,
        )),
      );
    // Every user of 'p' registered the same ids, as they could before ids were the project's.
    for (let i = 0; i < 20; i++) await clients.insert(caller, { client_id: `p_node${i}`, hostname: `node${i}` });
    // A central scheduler, registered in another project: every project sees it.
    if (owner === OWNERS - 1) await clients.insert(caller, { client_id: 'central', hostname: 'central', is_central: true });
    const jobIds = Array.from({ length: 300 }, () => newId());
    await jobs.insertMany(
      caller,
      jobIds.map((id, i) => ({
        id,
        doc: {
          client_id: `p_node${i % 20}`,
          session_id: i % 3 ? '' : 's1',
          session_tag: 0,
          description: `job ${i}`,
          job_schedule: { status: ['scheduled', 'completed', 'running'][i % 3] },
          job_actions: [{ freezer_action: { action: 'backup', mode: i % 2 ? 'fs' : 'mysql' }, max_retries: 3 }],
        },
      })),
    );
    const actionIds = Array.from({ length: 100 }, () => newId());
    await actions.insertMany(
      caller,
      actionIds.map((id, i) => ({
        id,
        doc: { freezer_action: { action: 'backup', mode: i % 2 ? 'fs' : 'nova' }, max_retries: i % 4 },
      })),
    );
    const sessionIds = Array.from({ length: 100 }, () => newId());
    await sessions.insertMany(
      caller,
      sessionIds.map((id, i) => ({
        id,
        doc: {
          status: i % 2 ? 'active' : 'running',
          schedule: { schedule_interval: '1 days' },
          session_tag: 0,
          hold_off: 30,
          result: '',
          jobs: {},
          time_start: -1,
          time_end: -1,
          time_started: -1,
          time_ended: -1,
          last_start: '',
        },
      })),
    );
    if (caller.userId === USER)
      Object.assign(ids, { backup: backupIds[150], job: jobIds[150], action: actionIds[50], session: sessionIds[50] });
  }
  if (db.client.config.client === 'mysql2') {
    // Fresh InnoDB statistics, as a table that has been in use would have.
    for (const table of TABLES) await db.raw('ANALYZE TABLE ??', [table]);
  }
  return ids;
}

/** The GET requests whose reads must use indexes: every get, list, page and kind of search. */
function requests(ids: Awaited<ReturnType<typeof seed>>): string[] {
  const v2 = '/v2/p';
  return [
    `${v2}/backups/${ids.backup}`,
    `${v2}/backups`,
    `${v2}/backups?limit=10&marker=${ids.backup}`,
    `${v2}/backups?offset=20`,
    `${v2}/backups?search=${json({ match: [{ job_id: 'job-3' }] })}`,
    `${v2}/backups?search=${json({ match: [{ backup_name: 'b7' }] })}`,
    `${v2}/backups?search=${json({ match: [{ hostname: 'node2' }], match_not: [{ backup_name: 'b2' }] })}`,
    `${v2}/backups?search=${json({ match: [{ container: 'c' }] })}`,
    `${v2}/backups?search=${json({ time_after: 1100, time_before: 1200 })}`,
    `${v2}/backups?search=${json({ match: [{ _all: 'node3' }] })}`,
    // Keys at any depth: read through the owner's index, not the whole table.
    `${v2}/backups?search=${json({ match: [{ time_stamp: 1100 }] })}`,
    `${v2}/backups?search=${json({ match: [{ status: 'error' }] })}`,
    `${v2}/clients/${ids.client}`,
    `${v2}/clients`,
    `${v2}/clients?marker=${ids.client}`,
    `${v2}/clients?search=${json({ match: [{ client_id: 'p_node3' }] })}`,
    `${v2}/clients?search=${json({ match: [{ hostname: 'node3' }] })}`,
    `${v2}/clients?search=${json({ match: [{ _all: 'node1' }] })}`,
    `${v2}/jobs/${ids.job}`,
    `${v2}/jobs`,
    `${v2}/jobs?marker=${ids.job}`,
    // The scheduler's poll.
    `${v2}/jobs?limit=10&offset=0&search=${json({ match: [{ client_id: 'p_node1' }], match_not: [{ status: 'completed' }] })}`,
    `${v2}/jobs?search=${json({ match: [{ session_id: 's1' }] })}`,
    `${v2}/jobs?search=${json({ match: [{ mode: 'mysql' }] })}`,
    `${v2}/jobs?search=${json({ match: [{ description: 'job 7' }] })}`,
    `${v2}/jobs?search=${json({ match: [{ 'freezer_action.mode': 'fs' }], match_not: [{ max_retries: null }] })}`,
    `${v2}/jobs?search=${json({ match: [{ _all: 'p_node1' }] })}`,
    `${v2}/actions/${ids.action}`,
    `${v2}/actions`,
    `${v2}/actions?marker=${ids.action}`,
    `${v2}/actions?search=${json({ match: [{ mode: 'nova' }] })}`,
    `${v2}/sessions/${ids.session}`,
    `${v2}/sessions`,
    `${v2}/sessions?marker=${ids.session}`,
    `${v2}/sessions?search=${json({ match: [{ status: 'active' }] })}`,
  ];
}

/**
 * Clients' lists are "the scope's own OR every central one": no one index holds both in seq order,
 * so both engines read clients in seq order (the primary key) and stop at the page's end. That is
 * accepted for clients alone: one row per scheduler node, few per service, and never a sort.
 */
const isClientsList = (sql: string) => /\bfrom `?clients`?\b/i.test(sql) && sql.includes('is_central <> 0');

/** What is wrong with the plan of one statement, if anything. */
async function planProblems(db: Knex, sql: string, bindings: readonly unknown[]): Promise<string[]> {
  const inSeqOrder = isClientsList(sql);
  if (db.client.config.client === 'mysql2') {
    const [plan] = (await db.raw(`EXPLAIN ${sql}`, bindings as Knex.RawBinding[])) as [
      { table: string | null; type: string | null; key: string | null; Extra: string | null }[],
    ];
    return plan.flatMap((step) => {
      const problems: string[] = [];
      const seqScan = inSeqOrder && step.table === 'clients' && step.type === 'index' && step.key === 'PRIMARY';
      if (step.table && TABLES.includes(step.table) && !seqScan && (step.type === 'ALL' || step.type === 'index' || !step.key)) {
        problems.push(`${step.table}: ${step.type} scan (key ${step.key})`);
      }
      if (step.Extra?.includes('Using filesort'))
        problems.push(`${step.table}: filesort (${step.type} on ${step.key}: ${step.Extra})`);
      return problems;
    });
  }
  const plan: { detail: string }[] = await db.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings as Knex.RawBinding[]);
  return plan
    .map((step) => step.detail)
    .filter(
      (detail) =>
        (new RegExp(`^SCAN (${TABLES.join('|')})\\b`).test(detail) && !(inSeqOrder && detail === 'SCAN clients')) ||
        detail.includes('TEMP B-TREE'),
    );
}

/** The names of the indexes the plan of one statement reads. */
async function indexesUsed(db: Knex, sql: string, bindings: readonly unknown[]): Promise<string[]> {
  if (db.client.config.client === 'mysql2') {
    const [plan] = (await db.raw(`EXPLAIN ${sql}`, bindings as Knex.RawBinding[])) as [{ key: string | null }[]];
    return plan.flatMap((step) => (step.key ? [step.key] : []));
  }
  const plan: { detail: string }[] = await db.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings as Knex.RawBinding[]);
  return plan.flatMap((step) => /USING (?:COVERING )?INDEX (\w+)/.exec(step.detail)?.[1] ?? []);
}

/** What a central scheduler polls with: its client's jobs in every project (jobs:get_all_projects). */
const CENTRAL_POLL = `jobs?search=${json({ match: [{ client_id: 'p_node1' }] })}`;
const ADMIN = { 'X-User-Id': USER, 'X-Roles': 'admin' };

const SCOPES = [
  ['project', false],
  ['user', true],
] as const;

describe.each(
  engineRows.flatMap(([name, engine]) =>
    SCOPES.map(([scope, byUser]) => [`${name}, ${scope} scope`, engine, scope, byUser] as const),
  ),
)('query plans on %s', (_name, engine, scope, byUser) => {
  let server: TestServer;
  const statements = new Map<string, readonly unknown[]>();

  beforeAll(async () => {
    server = await startTestServer(engine, { scope });
    const ids = await seed(server.db, byUser);
    // Knex's 'query' event: reads run by Knex and the prepared ones (src/db/prepared.ts) alike.
    server.db.on('query', (query: { sql: string; bindings?: unknown[] }) => {
      if (/^\s*select/i.test(query.sql)) statements.set(query.sql, query.bindings ?? []);
    });
    for (const path of requests(ids)) {
      const res = await server.request('GET', path, { headers: { 'X-User-Id': USER } });
      expect([path, res.status]).toEqual([path, 200]);
      expect(((res.body as Record<string, unknown[]>)[path.split('/')[3]!.split('?')[0]!] ?? [res.body]).length).toBeGreaterThan(
        0,
      );
    }
    expect((await server.request('GET', `/v2/p/${CENTRAL_POLL}`, { headers: ADMIN })).status).toBe(200);
  }, 60_000);
  afterAll(() => server.close());

  it('saw the reads of every kind', () => {
    for (const table of TABLES)
      expect([...statements.keys()].some((sql) => sql.includes(`from ${table}`) || sql.includes(`FROM ${table}`))).toBe(true);
    expect(statements.size).toBeGreaterThan(25);
  });

  it('would notice a full scan or a sort (the check itself works)', async () => {
    expect(await planProblems(server.db, 'SELECT backup_id FROM backups WHERE container = ?', ['c'])).not.toEqual([]);
    expect(
      await planProblems(server.db, 'SELECT job_id FROM jobs WHERE user_id = ? AND project_id = ? ORDER BY doc LIMIT 10', [
        USER,
        'p',
      ]),
    ).not.toEqual([]);
  });

  /** Checks the reads behind one GET use `index` (or, given several, one of them). */
  const uses = async (path: string, index: string | string[], headers: Record<string, string> = { 'X-User-Id': USER }) => {
    const seen: [string, readonly unknown[]][] = [];
    const listen = (query: { sql: string; bindings?: unknown[] }) => {
      if (/^\s*select/i.test(query.sql)) seen.push([query.sql, query.bindings ?? []]);
    };
    server.db.on('query', listen);
    const res = await server.request('GET', `/v2/p/${path}`, { headers });
    server.db.removeListener('query', listen);
    expect(res.status).toBe(200);
    const indexes = (await Promise.all(seen.map(([sql, bindings]) => indexesUsed(server.db, sql, bindings)))).flat();
    const wanted = [index].flat();
    expect([path, indexes.some((used) => wanted.includes(used))]).toEqual([path, true]);
  };

  it('lists in list order from the index of the scope', async () => {
    // A project's list: project_id = ? by seq; a user's: project_id = ? AND user_id = ? by seq.
    for (const table of ['backups', 'jobs', 'actions', 'sessions'])
      await uses(table, byUser ? `${table}_project_user_seq` : `${table}_project_seq`);
  });

  it("answers a search on an indexed key from that key's own index", async () => {
    // A user's search may read the user's rows instead (as selective, here): either index is fine.
    const orUser = (index: string) => (byUser ? [index, `${index.split('_')[0]}_project_user_seq`] : index);
    await uses(`backups?search=${json({ match: [{ hostname: 'node2' }] })}`, orUser('backups_project_host_seq'));
    await uses(`backups?search=${json({ match: [{ backup_name: 'b7' }] })}`, orUser('backups_project_name_seq'));
    await uses(`backups?search=${json({ match: [{ job_id: 'job-3' }] })}`, orUser('backups_project_job_seq'));
    await uses(`backups?search=${json({ match: [{ status: 'error' }] })}`, orUser('backups_project_status_seq'));
    // The scheduler's poll.
    await uses(
      `jobs?search=${json({ match: [{ client_id: 'p_node1' }], match_not: [{ status: 'completed' }] })}`,
      orUser('jobs_project_client_seq'),
    );
    // A central scheduler's: every project's jobs for its client.
    await uses(CENTRAL_POLL, 'jobs_client_seq', ADMIN);
  });

  it('answers every one of them from an index', async () => {
    const failures: string[] = [];
    for (const [sql, bindings] of statements) {
      const problems = await planProblems(server.db, sql, bindings);
      if (problems.length) failures.push(`${sql}\n    ${problems.join('; ')}`);
    }
    expect(failures).toEqual([]);
  });
});
