// Tenant isolation as data: what one tenant owns (one of every kind), every operation another
// tenant can aim at those ids, and how to tell that such an attempt changed and revealed nothing:
// it must answer exactly as the same request naming ids nobody has (modulo the ids in the text),
// and leave every row the attacker does not own as it was. Shared by test/http/isolation.test.ts
// (noauth headers, both scopes, every engine) and test/keystone/isolation.test.ts (real tokens).
import { randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { checkEach } from './failures';
import { SEED_BACKUP } from './fixtures';
import type { TestServer } from './http';
import { type Exchange, specApi } from './spec';

type Doc = Record<string, unknown>;
type Headers = Record<string, string>;

export interface Tenant {
  /** For test names: `alice@proj-a`. */
  label: string;
  /** The user and project the server records on what the tenant writes. */
  user: string;
  project: string;
  /** Who the tenant is to the server: noauth identity headers, or a Keystone token. */
  headers: Headers;
}

/** One tenant's documents (a session holding the job), and words only they contain. */
export interface Ids {
  backup: string;
  client: string;
  job: string;
  action: string;
  session: string;
  /** Their user id, for searches on `user_id`. */
  user: string;
  /** Their project, for bodies that claim it (never echoed, so answers are not searched for it). */
  project: string;
  /** A word in every one of their documents, for searches on names, descriptions and free text. */
  mark: string;
}

const hexId = () => randomUUID().replace(/-/g, '');
const newMark = () => `mark${randomBytes(6).toString('hex')}`;

/** Ids and words no tenant has: what an attempt's answer is compared with. */
export function unknownIds(): Ids {
  const mark = newMark();
  return {
    backup: hexId(),
    client: `node-${mark}`,
    job: hexId(),
    action: hexId(),
    session: hexId(),
    user: `user-${mark}`,
    project: `proj-${mark}`,
    mark,
  };
}

const step = (mark: string) => ({
  freezer_action: { action: 'backup', mode: 'fs', backup_name: mark, path_to_backup: '/etc', container: mark },
  max_retries: 1,
});
const jobDoc = (client: string, mark: string): Doc => ({
  client_id: client,
  description: mark,
  job_schedule: { schedule_interval: '1 days' },
  job_actions: [step(mark)],
});
const actionDoc = (mark: string): Doc => ({ ...step(mark), description: mark });
const sessionDoc = (mark: string): Doc => ({ description: mark, schedule: { schedule_interval: '1 days' }, hold_off: 3600 });
const backupDoc = (mark: string): Doc => ({ ...SEED_BACKUP, backup_name: mark, container: mark, hostname: mark });

/** Creates one of everything as the tenant (v2, its project), the session holding the job. */
export async function createEverything(server: TestServer, tenant: Tenant): Promise<Ids> {
  const mark = newMark();
  const base = `/v2/${tenant.project}`;
  const write = async (method: string, path: string, json: unknown, status: number) => {
    const res = await server.request(method, path, { headers: tenant.headers, json });
    if (res.status !== status)
      throw new Error(`${tenant.label}: ${method} ${path}: expected ${status}, got ${res.status} ${res.text}`);
    return res.body as Record<string, string>;
  };
  const client = `node-${mark}`;
  await write('POST', `${base}/clients`, { client_id: client, hostname: mark, description: mark }, 201);
  const { action_id } = await write('POST', `${base}/actions`, actionDoc(mark), 201);
  const { job_id } = await write('POST', `${base}/jobs`, jobDoc(client, mark), 201);
  const { session_id } = await write('POST', `${base}/sessions`, sessionDoc(mark), 201);
  await write('PUT', `${base}/sessions/${session_id}/jobs/${job_id}`, undefined, 204);
  const { backup_id } = await write('POST', `${base}/backups`, backupDoc(mark), 201);
  return {
    backup: backup_id!,
    client,
    job: job_id!,
    action: action_id!,
    session: session_id!,
    user: tenant.user,
    project: tenant.project,
    mark,
  };
}

/** What an operation is aimed with: the URL prefix, the attacker's own ids, and the ids aimed at. */
export interface Aim {
  /** `/v1`, or `/v2/<project>`: the attacker's own project, or the victim's. */
  base: string;
  mine: Ids;
  /** The victim's (an attempt), or ids nobody has (the reference). */
  their: Ids;
  /** Whose id a 409 says it is: `project` (v2, project scope) or `owner` (v1, user scope). */
  other: 'project' | 'owner';
  /** The victim's user id is the attacker's too (one user in two projects). */
  sameUser: boolean;
}

export interface Step {
  method: string;
  path: string;
  json?: unknown;
  headers?: Headers;
}

export type Version = 'v1' | 'v2';

export interface Operation {
  name: string;
  versions: readonly Version[];
  steps(aim: Aim): Step[];
  /**
   * How the answer is judged. `as-unknown` (the default): exactly as for ids nobody has.
   * `taken`: the documented 409 (README "Scope": an id names one document in the whole service,
   * so creating or replacing one under an id someone else has is a conflict). `none-of-theirs`:
   * a list whose text holds none of the victim's ids or words.
   */
  expect?: 'as-unknown' | 'taken' | 'none-of-theirs';
  /** For `taken`: the one answer's description. */
  taken?(aim: Aim): string;
  /** A method the path does not have: 405 before any identity is asked for. */
  unrouted?: boolean;
}

const BOTH = ['v1', 'v2'] as const;
const V2 = ['v2'] as const;
const MERGE_PATCH = { 'Content-Type': 'application/merge-patch+json' };
const IF_MATCH = { 'If-Match': '"1"' };

interface VersionedKind {
  kind: 'jobs' | 'actions' | 'sessions';
  noun: 'Job' | 'Action' | 'Session';
  idKey: string;
  id: (ids: Ids) => string;
  /** A whole document of the attacker's, to replace theirs with. */
  doc: (aim: Aim) => Doc;
  /** A change valid in both PATCH media types. */
  patch: Doc;
}

const VERSIONED: VersionedKind[] = [
  {
    kind: 'jobs',
    noun: 'Job',
    idKey: 'job_id',
    id: (ids) => ids.job,
    doc: (aim) => jobDoc(aim.mine.client, aim.mine.mark),
    patch: { description: 'changed by another tenant' },
  },
  {
    kind: 'actions',
    noun: 'Action',
    idKey: 'action_id',
    id: (ids) => ids.action,
    doc: (aim) => actionDoc(aim.mine.mark),
    patch: { max_retries: 9 },
  },
  {
    kind: 'sessions',
    noun: 'Session',
    idKey: 'session_id',
    id: (ids) => ids.session,
    doc: (aim) => sessionDoc(aim.mine.mark),
    patch: { description: 'changed by another tenant' },
  },
];

interface ListedKind {
  kind: 'backups' | 'clients' | 'jobs' | 'actions' | 'sessions';
  id: (ids: Ids) => string;
  /** Searches that would find the victim's documents of the kind, were they visible. */
  searches: (their: Ids) => Doc[];
}

const LISTED: ListedKind[] = [
  {
    kind: 'backups',
    id: (ids) => ids.backup,
    searches: (t) => [{ backup_id: t.backup }, { backup_name: t.mark }, { hostname: t.mark }, { container: t.mark }],
  },
  { kind: 'clients', id: (ids) => ids.client, searches: (t) => [{ client_id: t.client }, { hostname: t.mark }] },
  {
    kind: 'jobs',
    id: (ids) => ids.job,
    searches: (t) => [{ job_id: t.job }, { description: t.mark }, { client_id: t.client }, { session_id: t.session }],
  },
  { kind: 'actions', id: (ids) => ids.action, searches: (t) => [{ action_id: t.action }, { backup_name: t.mark }] },
  { kind: 'sessions', id: (ids) => ids.session, searches: (t) => [{ session_id: t.session }, { description: t.mark }] },
];

const get = (path: string): Step => ({ method: 'GET', path });

/** Every operation one tenant can aim at another's ids, in both API versions where they exist. */
export const OPERATIONS: Operation[] = [
  ...VERSIONED.flatMap(({ kind, noun, idKey, id, doc, patch }): Operation[] => {
    const item = (aim: Aim) => `${aim.base}/${kind}/${id(aim.their)}`;
    return [
      { name: `GET ${kind}/{theirs}`, versions: BOTH, steps: (aim) => [get(item(aim))] },
      {
        name: `PATCH ${kind}/{theirs} (application/json)`,
        versions: BOTH,
        steps: (aim) => [{ method: 'PATCH', path: item(aim), json: patch }],
      },
      {
        name: `PATCH ${kind}/{theirs} (application/merge-patch+json)`,
        versions: BOTH,
        steps: (aim) => [{ method: 'PATCH', path: item(aim), json: patch, headers: MERGE_PATCH }],
      },
      {
        name: `PATCH ${kind}/{theirs} with If-Match of their version`,
        versions: BOTH,
        steps: (aim) => [{ method: 'PATCH', path: item(aim), json: patch, headers: IF_MATCH }],
      },
      {
        name: `POST ${kind}/{theirs} (replace)`,
        versions: BOTH,
        steps: (aim) => [{ method: 'POST', path: item(aim), json: doc(aim) }],
        expect: 'taken',
        taken: (aim) => `${noun} ID ${id(aim.their)} is taken by another ${aim.other}`,
      },
      {
        name: `POST ${kind}/{theirs} (replace) with If-Match of their version`,
        versions: BOTH,
        steps: (aim) => [{ method: 'POST', path: item(aim), json: doc(aim), headers: IF_MATCH }],
      },
      ...['PUT', 'TRACE'].map((method) => ({
        name: `${method} ${kind}/{theirs} (no such method)`,
        versions: BOTH,
        steps: (aim: Aim) => [{ method, path: item(aim), json: method === 'PUT' ? doc(aim) : undefined }],
        unrouted: true,
      })),
      {
        // Owners are the server's: a body naming the victim's user and project moves nothing into their view.
        name: `PATCH my ${kind} naming their user_id and project_id`,
        versions: BOTH,
        steps: (aim) => [
          {
            method: 'PATCH',
            path: `${aim.base}/${kind}/${id(aim.mine)}`,
            json: { user_id: aim.their.user, project_id: aim.their.project },
          },
        ],
      },
      {
        name: `POST ${kind} naming their user_id and project_id`,
        versions: BOTH,
        steps: (aim) => [
          {
            method: 'POST',
            path: `${aim.base}/${kind}`,
            json: { ...doc(aim), user_id: aim.their.user, project_id: aim.their.project },
          },
        ],
      },
      { name: `DELETE ${kind}/{theirs}`, versions: BOTH, steps: (aim) => [{ method: 'DELETE', path: item(aim) }] },
      {
        name: `DELETE ${kind}/{theirs} with If-Match of their version`,
        versions: BOTH,
        steps: (aim) => [{ method: 'DELETE', path: item(aim), headers: IF_MATCH }],
      },
      ...(kind === 'sessions'
        ? []
        : [
            {
              name: `POST ${kind} with their ${idKey} in the body`,
              versions: BOTH,
              steps: (aim: Aim) => [
                { method: 'POST', path: `${aim.base}/${kind}`, json: { ...doc(aim), [idKey]: id(aim.their) } },
              ],
              expect: 'taken' as const,
              taken: (aim: Aim) => `${noun} already registered with ID ${id(aim.their)}`,
            },
          ]),
    ];
  }),

  // Jobs: events, and the client a job names.
  ...(['start', 'stop', 'abort'] as const).flatMap((event): Operation[] => [
    {
      name: `POST jobs/{theirs}/event ${event}`,
      versions: BOTH,
      steps: (aim) => [{ method: 'POST', path: `${aim.base}/jobs/${aim.their.job}/event`, json: { [event]: null } }],
    },
    {
      name: `POST jobs/{theirs}/event ${event} with If-Match of their version`,
      versions: BOTH,
      steps: (aim) => [
        { method: 'POST', path: `${aim.base}/jobs/${aim.their.job}/event`, json: { [event]: null }, headers: IF_MATCH },
      ],
    },
  ]),
  {
    name: 'POST jobs naming their (private) client',
    versions: BOTH,
    steps: (aim) => [{ method: 'POST', path: `${aim.base}/jobs`, json: jobDoc(aim.their.client, aim.mine.mark) }],
  },
  {
    name: 'PATCH my job onto their (private) client',
    versions: BOTH,
    steps: (aim) => [{ method: 'PATCH', path: `${aim.base}/jobs/${aim.mine.job}`, json: { client_id: aim.their.client } }],
  },
  {
    name: 'POST (replace) my job onto their (private) client',
    versions: BOTH,
    steps: (aim) => [{ method: 'POST', path: `${aim.base}/jobs/${aim.mine.job}`, json: jobDoc(aim.their.client, aim.mine.mark) }],
  },
  {
    name: "point my job's session_id at their session, then put it back in mine (which leaves the one it names)",
    versions: BOTH,
    steps: (aim) => [
      { method: 'PATCH', path: `${aim.base}/jobs/${aim.mine.job}`, json: { session_id: aim.their.session } },
      { method: 'PUT', path: `${aim.base}/sessions/${aim.mine.session}/jobs/${aim.mine.job}` },
    ],
  },

  // Sessions: the start/end handshake and membership, both ways.
  ...(
    [
      ['start', (job: string) => ({ start: { job_id: job, current_tag: 0 } })],
      ['end', (job: string) => ({ end: { job_id: job, result: 'success' } })],
    ] as const
  ).flatMap(([action, body]): Operation[] => [
    {
      name: `POST sessions/{theirs}/action ${action} of their job`,
      versions: BOTH,
      steps: (aim) => [{ method: 'POST', path: `${aim.base}/sessions/${aim.their.session}/action`, json: body(aim.their.job) }],
    },
    {
      name: `POST sessions/{theirs}/action ${action} of my job`,
      versions: BOTH,
      steps: (aim) => [{ method: 'POST', path: `${aim.base}/sessions/${aim.their.session}/action`, json: body(aim.mine.job) }],
    },
    {
      name: `POST sessions/{mine}/action ${action} of their job`,
      versions: BOTH,
      steps: (aim) => [{ method: 'POST', path: `${aim.base}/sessions/${aim.mine.session}/action`, json: body(aim.their.job) }],
    },
  ]),
  ...(['PUT', 'DELETE'] as const).flatMap((method): Operation[] => {
    const verb = method === 'PUT' ? 'add' : 'remove';
    const member = (aim: Aim, session: string, job: string) => ({ method, path: `${aim.base}/sessions/${session}/jobs/${job}` });
    return [
      {
        name: `${verb} my job to/from their session`,
        versions: BOTH,
        steps: (aim) => [member(aim, aim.their.session, aim.mine.job)],
      },
      {
        name: `${verb} their job to/from my session`,
        versions: BOTH,
        steps: (aim) => [member(aim, aim.mine.session, aim.their.job)],
      },
      {
        name: `${verb} their job to/from their session`,
        versions: BOTH,
        steps: (aim) => [member(aim, aim.their.session, aim.their.job)],
      },
      {
        name: `${verb} my job to/from their session with If-Match of their version`,
        versions: BOTH,
        steps: (aim) => [{ ...member(aim, aim.their.session, aim.mine.job), headers: IF_MATCH }],
      },
    ];
  }),
  {
    name: 'POST sessions with their session_id and their job in the body',
    versions: BOTH,
    steps: (aim) => [
      {
        method: 'POST',
        path: `${aim.base}/sessions`,
        json: { ...sessionDoc(aim.mine.mark), session_id: aim.their.session, jobs: { [aim.their.job]: { status: 'running' } } },
      },
    ],
  },

  // Backups and clients.
  ...(
    [
      ['backups', (ids: Ids) => ids.backup],
      ['clients', (ids: Ids) => ids.client],
    ] as const
  ).flatMap(([kind, id]): Operation[] => [
    { name: `GET ${kind}/{theirs}`, versions: BOTH, steps: (aim) => [get(`${aim.base}/${kind}/${id(aim.their)}`)] },
    {
      name: `DELETE ${kind}/{theirs}`,
      versions: BOTH,
      steps: (aim) => [{ method: 'DELETE', path: `${aim.base}/${kind}/${id(aim.their)}` }],
    },
  ]),
  {
    name: 'PATCH backups/{theirs}',
    versions: V2,
    steps: (aim) => [
      {
        method: 'PATCH',
        path: `${aim.base}/backups/${aim.their.backup}`,
        json: { status: 'error', backup_metadata: { backup_name: 'changed' } },
      },
    ],
  },
  {
    name: 'PATCH backups/{theirs} (application/merge-patch+json, which backups do not take)',
    versions: V2,
    steps: (aim) => [
      { method: 'PATCH', path: `${aim.base}/backups/${aim.their.backup}`, json: { status: 'error' }, headers: MERGE_PATCH },
    ],
  },
  {
    // Ids in metadata are the uploader's own business (kept as sent), so this one names none of
    // theirs: on the attacker's URLs it is an upload like any other; on the victim's it is refused.
    name: 'POST backups (an upload)',
    versions: BOTH,
    steps: (aim) => [{ method: 'POST', path: `${aim.base}/backups`, json: backupDoc(aim.mine.mark) }],
  },
  {
    name: 'register a client under their client_id, then delete it (my registration, not theirs)',
    versions: BOTH,
    steps: (aim) => [
      { method: 'POST', path: `${aim.base}/clients`, json: { client_id: aim.their.client, hostname: aim.mine.mark } },
      { method: 'DELETE', path: `${aim.base}/clients/${aim.their.client}` },
    ],
  },

  // Lists: plain, searched for what only their documents hold, and paged from their ids.
  ...LISTED.flatMap(({ kind, id, searches }): Operation[] => {
    const list = (aim: Aim) => `${aim.base}/${kind}?limit=1000`;
    const searched = (aim: Aim): Doc[] => [
      ...searches(aim.their).map((pair) => ({ match: [pair] })),
      { match: [{ _all: aim.their.mark }] },
      { match: [{ _all: JSON.stringify(searches(aim.their).slice(0, 1)) }] },
      // Their user id, unless it is the attacker's own too (one user in two projects).
      ...(aim.sameUser ? [] : [{ match: [{ user_id: aim.their.user }] }, { match_not: [{ user_id: aim.their.user }] }]),
    ];
    return [
      { name: `GET ${kind} (no search)`, versions: BOTH, steps: (aim) => [get(list(aim))], expect: 'none-of-theirs' },
      ...(kind === 'jobs'
        ? [
            {
              // Only callers policy lets read every project's jobs get them (README "Scope").
              name: 'GET jobs?all_projects=True',
              versions: BOTH,
              steps: (aim: Aim) => [get(`${list(aim)}&all_projects=True`)],
              expect: 'none-of-theirs' as const,
            },
          ]
        : []),
      { name: `GET ${kind}?marker={theirs}`, versions: BOTH, steps: (aim) => [get(`${list(aim)}&marker=${id(aim.their)}`)] },
      {
        name: `GET ${kind} searching (GET body) what only theirs hold`,
        versions: BOTH,
        steps: (aim) => searched(aim).map((json) => ({ method: 'GET', path: list(aim), json })),
      },
      {
        name: `GET ${kind}?search= what only theirs hold`,
        versions: BOTH,
        steps: (aim) => searched(aim).map((search) => get(`${list(aim)}&search=${encodeURIComponent(JSON.stringify(search))}`)),
      },
    ];
  }),
];

/** One answer as compared: the victim's (or the unknown) ids and words in its text replaced by their names. */
export interface Answer {
  status: number;
  body: unknown;
  /** Present or not (a version is no secret of the attacker's own writes, and differs by run). */
  etag: boolean;
  allow: string | undefined;
}

/**
 * The text with `their` values named (longest first), and ids the server makes up (32 hex digits)
 * masked. Values the attacker shares with them (its own user id, when the same user is in
 * another project) are the attacker's too, and stay; the project is in URLs, not answers.
 */
function named(text: string, { project: _project, ...their }: Ids, mine: Ids): string {
  const values = Object.entries(their)
    .filter(([key, value]) => mine[key as keyof Ids] !== value)
    .sort(([, a], [, b]) => b.length - a.length);
  for (const [key, value] of values) text = text.split(value).join(`<their ${key}>`);
  return text.replace(/\b[0-9a-f]{32}\b/g, '<generated id>');
}

function answerOf(res: Exchange, { their, mine }: Aim): Answer {
  const text = named(res.text, their, mine);
  const body: unknown = text !== '' && typeof res.body !== 'string' ? JSON.parse(text) : text;
  // The attacker's own writes (a step that restores its job) answer their new version, which differs by run.
  if (res.status < 300 && body && typeof body === 'object' && typeof (body as Doc).version === 'number') {
    (body as Doc).version = '<version>';
  }
  return { status: res.status, body, etag: res.headers.etag !== undefined, allow: res.headers.allow as string | undefined };
}

const DENIED = { title: 'Access Forbidden', description: 'You are not allowed to access this resource' };

/** Who attacks whom, with what: the two tenants and their documents. */
export interface Crossing {
  attacker: Tenant;
  victim: Tenant;
  mine: Ids;
  their: Ids;
  /** The server's scope is `user` (each user sees only their own, in v2 too). */
  userScope: boolean;
}

/** One operation aimed one way: a version and URL prefix. */
export interface Attempt {
  operation: Operation;
  version: Version;
  /** The attacker's own project's URLs (or v1), or the victim's project's. */
  url: 'own' | 'theirs';
  base: string;
}

/** Every operation, in each version it exists in, on the attacker's URLs and (v2, other project) the victim's. */
export function attemptsFor({ attacker, victim }: Crossing): Attempt[] {
  return OPERATIONS.flatMap((operation) =>
    operation.versions.flatMap((version): Attempt[] =>
      version === 'v1'
        ? [{ operation, version, url: 'own', base: '/v1' }]
        : [
            { operation, version, url: 'own', base: `/v2/${attacker.project}` },
            ...(victim.project === attacker.project
              ? []
              : [{ operation, version, url: 'theirs' as const, base: `/v2/${victim.project}` }]),
          ],
    ),
  );
}

export const attemptName = ({ operation, version, url }: Attempt) =>
  `${version}${url === 'theirs' ? " on the victim's project URL" : ''}: ${operation.name}`;

/** The tables tenants write, and the rows of them that are not the attacker's to change. */
const TABLES = ['backups', 'clients', 'jobs', 'actions', 'sessions'];

export async function rowsNotOwnedBy(db: Knex, { attacker, userScope }: Crossing): Promise<Record<string, unknown[]>> {
  const rows: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    rows[table] = await db(table)
      .whereNot((owned) => {
        void owned.where('project_id', attacker.project);
        if (userScope) void owned.andWhere('user_id', attacker.user);
      })
      .orderBy('seq');
  }
  return rows;
}

/** Everything the victim sees, in both versions: each list whole and each of their documents. */
export async function viewOf(server: TestServer, tenant: Tenant, ids: Ids): Promise<Record<string, unknown>> {
  const view: Record<string, unknown> = {};
  const items = { backups: ids.backup, clients: ids.client, jobs: ids.job, actions: ids.action, sessions: ids.session };
  for (const base of [`/v2/${tenant.project}`, '/v1']) {
    for (const [kind, id] of Object.entries(items)) {
      for (const path of [`${base}/${kind}?limit=1000`, `${base}/${kind}/${id}`]) {
        const res = await server.request('GET', path, { headers: tenant.headers });
        view[path] = { status: res.status, body: res.body, etag: res.headers.etag };
      }
    }
  }
  return view;
}

/**
 * Makes the attempt, and the same request naming unknown ids; fails unless both answered alike
 * (or as the attempt's `expect` says), and unless every row the attacker does not own is as it
 * was before. Returns how many HTTP requests it made (the attempt's and the reference's).
 */
export async function attempt(server: TestServer, crossing: Crossing, made: Attempt): Promise<number> {
  const { operation, version, url, base } = made;
  const before = await rowsNotOwnedBy(server.db, crossing);
  const other = version === 'v1' || crossing.userScope ? 'owner' : 'project';
  const sameUser = crossing.attacker.user === crossing.victim.user;
  const aim: Aim = { base, mine: crossing.mine, their: crossing.their, other, sameUser };
  let requests = 0;
  const answers = async (target: Aim) => {
    const out: Answer[] = [];
    for (const { method, path, json, headers } of operation.steps(target)) {
      const res = await server.request(method, path, { headers: { ...crossing.attacker.headers, ...headers }, json });
      requests++;
      out.push(answerOf(res, target));
      if (operation.expect === 'none-of-theirs' && res.status === 200) expect(holdsAnyOf(res.text, crossing.their)).toEqual([]);
    }
    return out;
  };
  const got = await answers(aim);
  if (operation.unrouted) {
    expect(got.map((a) => a.status)).toEqual(got.map(() => 405));
  } else if (url === 'theirs') {
    // Policy: a project's URLs are its members' (and admin's and service's); any id, any body.
    expect(got).toEqual(got.map(() => ({ status: 403, body: DENIED, etag: false, allow: undefined })));
  } else if (operation.expect === 'taken') {
    const description = named(JSON.stringify(operation.taken!(aim)), crossing.their, crossing.mine);
    const conflict = { title: 'Document already existing', description: JSON.parse(description) as string };
    expect(got).toEqual([{ status: 409, body: conflict, etag: false, allow: undefined }]);
  } else if (operation.expect === 'none-of-theirs') {
    expect(got.map((a) => a.status)).toEqual(got.map(() => 200));
  }
  if (operation.expect !== 'taken' && operation.expect !== 'none-of-theirs') {
    expect(got).toEqual(await answers({ ...aim, their: unknownIds() }));
  }
  expect(await rowsNotOwnedBy(server.db, crossing)).toEqual(before);
  return requests;
}

/** How many attempts a crossing made, and how many of them on the victim's project's URLs. */
export interface Tally {
  attempts: number;
  onTheirUrls: number;
  requests: number;
}

/**
 * Every attempt of the crossing (each checked by `attempt`; every failure listed, not just the
 * first), then the victim's whole view and every row the attacker does not own as before them all.
 * Adds to `tally` as it goes.
 */
export async function crossTenant(server: TestServer, crossing: Crossing, tally: Tally): Promise<void> {
  const viewBefore = await viewOf(server, crossing.victim, crossing.their);
  const rowsBefore = await rowsNotOwnedBy(server.db, crossing);
  await checkEach(
    attemptsFor(crossing),
    async (made) => {
      tally.attempts++;
      if (made.url === 'theirs') tally.onTheirUrls++;
      tally.requests += await attempt(server, crossing, made);
    },
    attemptName,
  );
  expect(await rowsNotOwnedBy(server.db, crossing)).toEqual(rowsBefore);
  expect(await viewOf(server, crossing.victim, crossing.their)).toEqual(viewBefore);
}

/** The spec operations the crossing's v2 attempts reach: every one of a project's, or a gap in OPERATIONS. */
export async function aimedV2Operations(crossing: Crossing): Promise<string[]> {
  const aimed = new Set<string>();
  for (const made of attemptsFor(crossing).filter((a) => a.version === 'v2' && !a.operation.unrouted)) {
    const aim: Aim = { base: made.base, mine: crossing.mine, their: crossing.their, other: 'project', sameUser: false };
    for (const { method, path } of made.operation.steps(aim))
      aimed.add((await operationIdOf(method, path)) ?? `(unrouted) ${method} ${path}`);
  }
  return [...aimed].sort();
}

/** Which of the victim's ids and words the text holds. */
function holdsAnyOf(text: string, their: Ids): string[] {
  return [their.backup, their.client, their.job, their.action, their.session, their.mark].filter((value) => text.includes(value));
}

/** The spec's operation a request is routed to (undefined when none). */
async function operationIdOf(method: string, path: string): Promise<string | undefined> {
  const api = await specApi();
  try {
    return api.router.matchOperation({ method, path: path.split('?')[0]!, headers: {} }, true)?.operationId;
  } catch {
    return undefined;
  }
}

/** Every v2 operation under a project (what a project's members, and only they, may use). */
export async function projectOperationIds(): Promise<string[]> {
  const api = await specApi();
  return api
    .getOperations()
    .filter((operation) => operation.path.startsWith('/v2/{project_id}/'))
    .map((operation) => operation.operationId!)
    .sort();
}
