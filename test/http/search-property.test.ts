// Property: for any search over jobs, GET /v2/{p}/jobs with the search as its body returns exactly
// the jobs a brute-force oracle picks from the unfiltered listing, in the same (oldest first)
// order, with limit/offset applied after filtering. The oracle is written from the documented
// semantics, not from src/: a key is looked for at any depth of the job (every object, including
// those in lists and lists in lists), except that `job_id`, `user_id`, `client_id` and
// `session_id` are only the top-level field and `status` only `job_schedule.status` (the indexed
// columns). A dotted key is a path whose first step is found at any depth and whose other steps go
// down through objects. `{k: v}` holds when some occurrence has k with the same JSON type and value;
// `{k: null}` when no occurrence has a non-null k. `match`: all pairs hold; `match_not`: none does
// (each key of a search object is a pair of its own). Another project's identical jobs must
// never show up.
import fc from 'fast-check';
import { engineRows } from '../helpers/engines';
import { startTestServer, type TestServer } from '../helpers/http';

type Scalar = string | number | boolean | null;
type Doc = Record<string, unknown>;
interface Search {
  match?: Record<string, Scalar>[];
  match_not?: Record<string, Scalar>[];
}

const PROJECT = 'proj-search-prop';
const OTHER_PROJECT = 'proj-search-prop-other';
const USER = { 'X-User-Id': 'search-prop' };
const OTHER_USER = { 'X-User-Id': 'search-prop-other' };
const JOB_COUNT = 32;
/** The data set is random too; its seed is in the test name so that a failure can be replayed. */
const DATA_SEED = Number(process.env.SEARCH_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

// ---- the vocabulary ------------------------------------------------------------------------

const STRINGS = ['a', 'A', 'a ', '1', 'true', '', 'completed'] as const;
const VALUE = fc.constantFrom<Scalar>(...STRINGS, 0, 1, 1.5, true, false, null);
/** FreezerAction types `storage` as a string, and the client supports only the spec's storages. */
const STORAGE = fc.constantFrom('local', 'swift', '');
/** A stored null must not count as having the key: make it common. */
const ACTION_VALUE = fc.oneof(VALUE, fc.constant(null));
const STATUS = ['', 'completed', 'stop', 'scheduled', 'running'] as const;

const freezerAction = fc.record(
  {
    action: fc.constantFrom('backup', 'restore', 'info', 'admin', 'exec'),
    mode: fc.constantFrom('fs', 'mysql', 'mongo'),
    storage: STORAGE,
    level: ACTION_VALUE,
    label: ACTION_VALUE,
    description: ACTION_VALUE,
    status: VALUE, // never consulted: `status` is job_schedule.status only
    client_id: fc.constantFrom<Scalar>('a', 1, true), // never consulted: `client_id` is the top-level field only
    // Deeper: an object, a list of objects and a list of lists, holding keys found above too.
    options: fc.record(
      {
        level: ACTION_VALUE,
        shelf: VALUE,
        racks: fc.array(fc.record({ shelf: VALUE, label: ACTION_VALUE }, { requiredKeys: [] }), { maxLength: 2 }),
        grid: fc.array(fc.array(fc.record({ shelf: VALUE }), { maxLength: 2 }), { maxLength: 2 }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['action', 'mode'] },
);

const jobBody = (clientId: string) =>
  fc.record(
    {
      client_id: fc.constant(clientId),
      description: fc.constantFrom(...STRINGS),
      session_tag: fc.integer({ min: 0, max: 2 }),
      job_schedule: fc.record(
        { status: fc.constantFrom(...STATUS), result: fc.constantFrom('', 'success', 'fail') },
        { requiredKeys: [] },
      ),
      job_actions: fc.array(fc.record({ freezer_action: freezerAction }), { maxLength: 3 }),
    },
    { requiredKeys: ['client_id', 'job_schedule', 'job_actions'] },
  );

/** Searches over the keys below; half of the pairs are taken from what the jobs really hold. */
const searchArb = (clientId: string, all: Doc[]) => {
  /** Per key, the values that can hit it and their look-alikes; any key may also get any VALUE. */
  const likely: Record<string, Scalar[]> = {
    mode: ['fs', 'mysql', 'mongo', 'FS'],
    action: ['backup', 'restore', 'info', 'admin', 'exec'],
    storage: ['local', 'swift', ''],
    status: [...STATUS, 'Completed', 'completed '],
    result: ['', 'success', 'fail'],
    session_tag: [0, 1, 2, '0'],
    client_id: [clientId, clientId.toUpperCase(), `${clientId} `, 'a', 1, true],
    level: [],
    label: [],
    description: [],
    shelf: [],
    'freezer_action.mode': ['fs', 'mysql'],
    'options.level': [],
    'options.racks.shelf': [], // a path does not step into lists: never holds a value
    'racks.shelf': [], // likewise
    nobody_has_this: [],
  };
  const held = all.flatMap((job) => Object.keys(likely).flatMap((key) => places(job, key).map((v) => [key, v] as const)));
  const seen = held.filter((kv): kv is [string, Scalar] => kv[1] !== undefined);
  const made = fc
    .constantFrom(...Object.keys(likely))
    .chain((key) => fc.tuple(fc.constant(key), fc.oneof(fc.constantFrom(...likely[key]!, null), VALUE)));
  const entry = fc.oneof(made, fc.constantFrom(...seen));
  // One or two keys per object; two keys in one object are two pairs (see `pairs` below).
  const pair = fc.array(entry, { minLength: 1, maxLength: 2 }).map((kvs) => Object.fromEntries(kvs));
  return fc.record({
    search: fc.record(
      { match: fc.array(pair, { minLength: 1, maxLength: 3 }), match_not: fc.array(pair, { maxLength: 2 }) },
      { requiredKeys: ['match'] },
    ),
    limit: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
    offset: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
  });
};

// ---- the oracle ----------------------------------------------------------------------------

const COLUMN_ONLY = ['job_id', 'user_id', 'client_id', 'session_id'];
const isObject = (value: unknown): value is Doc => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The values of every member named `key`, at any depth of `value` (inside lists too). */
function occurrences(value: unknown, key: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) for (const item of value) occurrences(item, key, found);
  else if (isObject(value)) {
    for (const [name, member] of Object.entries(value)) {
      if (name === key) found.push(member);
      occurrences(member, key, found);
    }
  }
  return found;
}

/** What every place the job keeps `key` holds (undefined where a path leads nowhere). */
function places(job: Doc, key: string): unknown[] {
  if (COLUMN_ONLY.includes(key)) return [job[key]];
  if (key === 'status') return [isObject(job.job_schedule) ? job.job_schedule.status : undefined];
  const [first, ...rest] = key.split('.') as [string, ...string[]];
  return occurrences(job, first).map((start) => rest.reduce<unknown>((at, step) => (isObject(at) ? at[step] : undefined), start));
}

/** `===` on JSON scalars is "same type and value", numbers compared numerically. */
const holds = (job: Doc, key: string, value: Scalar): boolean =>
  value === null ? places(job, key).every((v) => v === undefined || v === null) : places(job, key).some((v) => v === value);

/** Every `{key: value}` entry is a pair, whether or not it shares its object with others. */
const pairs = (objects: Record<string, Scalar>[] = []) => objects.flatMap((o) => Object.entries(o));

function oracle(all: Doc[], search: Search, limit = 10, offset = 0): string[] {
  return all
    .filter((job) => pairs(search.match).every(([k, v]) => holds(job, k, v)))
    .filter((job) => !pairs(search.match_not).some(([k, v]) => holds(job, k, v)))
    .slice(offset, offset + limit)
    .map((job) => job.job_id as string);
}

// ---- the property --------------------------------------------------------------------------

describe.each(engineRows)('job search property on %s', (_name, engine) => {
  let server: TestServer;
  let clientId: string;
  /** The jobs as the API returns them, oldest first. */
  let all: Doc[];

  const list = async (search: Search | undefined, query: string): Promise<Doc[]> => {
    const res = await server.request('GET', `/v2/${PROJECT}/jobs${query}`, { json: search, headers: USER });
    expect(res.status).toBe(200);
    return (res.body as { jobs: Doc[] }).jobs;
  };

  beforeAll(async () => {
    server = await startTestServer(engine);
    for (const [project, headers] of [
      [PROJECT, USER],
      [OTHER_PROJECT, OTHER_USER],
    ] as const) {
      const client = await server.request('POST', `/v2/${project}/clients`, { json: { client_id: 'prop-node1' }, headers });
      expect(client.status).toBe(201);
      clientId = (client.body as { client_id: string }).client_id;
      for (const json of fc.sample(jobBody(clientId), { numRuns: JOB_COUNT, seed: DATA_SEED })) {
        const res = await server.request('POST', `/v2/${project}/jobs`, { json, headers });
        if (res.status !== 201) throw new Error(`job refused (${res.status} ${res.text}): ${JSON.stringify(json)}`);
      }
    }
    all = await list(undefined, '?limit=1000');
    expect(all).toHaveLength(JOB_COUNT);
  });
  afterAll(() => server.close());

  it(`agrees with the brute-force oracle (data seed ${DATA_SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(searchArb(clientId, all), async ({ search, limit, offset }) => {
        const query = new URLSearchParams();
        if (limit !== undefined) query.set('limit', String(limit));
        if (offset !== undefined) query.set('offset', String(offset));
        const got = (await list(search, query.size ? `?${query}` : '')).map((job) => job.job_id);
        expect(got).toEqual(oracle(all, search, limit, offset));
      }),
      { numRuns: 100 },
    );
  });

  it('finds matches often enough to mean something', () => {
    // Guards the vocabulary: a data set where almost nothing matches would make the property vacuous.
    const sample = fc.sample(searchArb(clientId, all), { numRuns: 200, seed: DATA_SEED });
    const nonEmpty = sample.filter(({ search }) => oracle(all, search, 1000).length > 0).length;
    expect(nonEmpty).toBeGreaterThan(40);
  });
});
