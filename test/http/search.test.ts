// Searches sent as GET bodies: filtering happens before limit/offset, values compare by JSON type.
import { engineRows } from '../helpers/engines';
import { checkEach } from '../helpers/failures';
import { startTestServer, type TestServer } from '../helpers/http';
import { startingWith } from '../helpers/matchers';

const DOCS: Record<string, unknown>[] = [
  {
    backup_name: 'alpha',
    container: 'c1',
    hostname: 'node1',
    level: 0,
    encrypted: false,
    time_stamp: 1000,
    job_id: 'j1',
    meta: { zone: 'z1' },
    // Deeper keys: `shelf` in an object and in objects in a list; a `hostname` that is not the backup's.
    extra: { shelf: 'top', hostname: 'elsewhere', on: true, racks: [{ shelf: 'S2' }, { shelf: null }] },
  },
  {
    backup_name: 'beta',
    container: 'c1',
    hostname: 'node2',
    level: 1,
    encrypted: true,
    time_stamp: 2000,
    job_id: 'j1',
    extra: { shelf: 200, on: 'true', deeper: [[{ racks: { shelf: 'S3' } }]] },
  },
  {
    backup_name: 'gamma',
    container: 'c2',
    host_name: 'node3',
    level: '1',
    encrypted: 'false',
    time_stamp: 3000,
    meta: { zone: 'z2', constructor: 'c' },
  },
  {
    backup_name: 'Delta 100%_done',
    container: 'c2',
    hostname: 'node1',
    level: null,
    timestamp: 4000,
    extra: { shelf: null, 'odd-key': { '0': 'zero' } },
  },
];

describe.each(engineRows)('search on %s', (_name, engine) => {
  let server: TestServer;
  const user = { 'X-User-Id': 'searcher' };
  beforeAll(async () => {
    server = await startTestServer(engine);
    for (const json of DOCS) await server.request('POST', '/v2/p/backups', { json, headers: user });
    // Another project's identical documents must never show up.
    for (const json of DOCS) await server.request('POST', '/v2/q/backups', { json, headers: { 'X-User-Id': 'other' } });
  });
  afterAll(() => server.close());

  const names = async (search: unknown, query = '') => {
    const res = await server.request('GET', `/v2/p/backups${query}`, { json: search, headers: user });
    expect(res.status).toBe(200);
    return (res.body as { backups: { backup_metadata: { backup_name: string } }[] }).backups.map(
      (b) => b.backup_metadata.backup_name,
    );
  };

  it.each([
    ['an indexed column', { match: [{ container: 'c1' }] }, ['alpha', 'beta']],
    ['two pairs (AND)', { match: [{ container: 'c1' }, { hostname: 'node1' }] }, ['alpha']],
    ['two keys in one pair (AND)', { match: [{ container: 'c2', hostname: 'node1' }] }, ['Delta 100%_done']],
    ['match_not', { match_not: [{ container: 'c1' }] }, ['gamma', 'Delta 100%_done']],
    ['match and match_not', { match: [{ container: 'c1' }], match_not: [{ hostname: 'node1' }] }, ['beta']],
    ['an integer in the document', { match: [{ level: 1 }] }, ['beta']],
    ['a string that looks like that integer', { match: [{ level: '1' }] }, ['gamma']],
    ['a boolean', { match: [{ encrypted: false }] }, ['alpha']],
    ['a string that looks like that boolean', { match: [{ encrypted: 'false' }] }, ['gamma']],
    ['null, which also matches a missing key', { match: [{ level: null }] }, ['Delta 100%_done']],
    ['a missing key', { match: [{ encrypted: null }] }, ['Delta 100%_done']],
    ['null in match_not', { match_not: [{ job_id: null }] }, ['alpha', 'beta']],
    ['a nested key', { match: [{ 'meta.zone': 'z2' }] }, ['gamma']],
    ['a key at any depth', { match: [{ zone: 'z1' }] }, ['alpha']],
    ['a key in an object in a list', { match: [{ shelf: 'S2' }] }, ['alpha']],
    ['a key in a list in a list', { match: [{ shelf: 'S3' }] }, ['beta']],
    ['a key at depth, by type', { match: [{ shelf: 200 }] }, ['beta']],
    ['a string that looks like that integer, at depth', { match: [{ shelf: '200' }] }, []],
    ['a boolean at depth', { match: [{ on: true }] }, ['alpha']],
    ['a string that looks like that boolean, at depth', { match: [{ on: 'true' }] }, ['beta']],
    ['case at depth: values compare exactly', { match: [{ shelf: 'TOP' }] }, []],
    ['match_not at depth', { match_not: [{ shelf: 'S2' }] }, ['beta', 'gamma', 'Delta 100%_done']],
    ['null at depth: no occurrence has a value', { match: [{ shelf: null }] }, ['gamma', 'Delta 100%_done']],
    ['null in match_not at depth', { match_not: [{ shelf: null }] }, ['alpha', 'beta']],
    ['a path whose first step is at depth', { match: [{ 'racks.shelf': 'S3' }] }, ['beta']],
    ['a path from the top', { match: [{ 'extra.shelf': 'top' }] }, ['alpha']],
    ['a path does not step into lists', { match: [{ 'extra.racks.shelf': 'S2' }] }, []],
    [
      'a path through a key that is not an object',
      { match: [{ 'shelf.x': null }] },
      ['alpha', 'beta', 'gamma', 'Delta 100%_done'],
    ],
    ['keys with a dash and of digits only', { match: [{ 'odd-key.0': 'zero' }, { '0': 'zero' }] }, ['Delta 100%_done']],
    ["a key named like Object.prototype's", { match: [{ constructor: 'c' }] }, ['gamma']],
    ["an indexed key is the backup's own field only", { match: [{ hostname: 'elsewhere' }] }, []],
    ['the v1 spelling host_name', { match: [{ host_name: 'node3' }] }, ['gamma']],
    ['case: values compare exactly', { match: [{ backup_name: 'ALPHA' }] }, []],
    ['a value nobody has', { match: [{ backup_name: 'nope' }] }, []],
    ['time_after', { time_after: 2000 }, ['beta', 'gamma', 'Delta 100%_done']],
    ['time_before', { time_before: 2000 }, ['alpha', 'beta']],
    ['a time window and a match', { time_after: 1500, time_before: 3500, match: [{ container: 'c2' }] }, ['gamma']],
    ['the CLI --search form with JSON pairs', { match: [{ _all: '[{"container": "c2"}]' }] }, ['gamma', 'Delta 100%_done']],
    ['the CLI --search form with free text', { match: [{ _all: 'NODE2' }] }, ['beta']],
    ['free text with LIKE wildcards in it', { match: [{ _all: '100%_d' }] }, ['Delta 100%_done']],
    ['free text % matching literally only', { match: [{ _all: '%' }] }, ['Delta 100%_done']],
    ['an empty search', {}, ['alpha', 'beta', 'gamma', 'Delta 100%_done']],
  ])('filters by %s', async (_case, search, expected) => {
    expect(await names(search)).toEqual(expected);
  });

  it('pages over the filtered list, not the whole one', async () => {
    const search = { match_not: [{ container: 'c1' }] };
    expect(await names(search, '?limit=1')).toEqual(['gamma']);
    expect(await names(search, '?limit=1&offset=1')).toEqual(['Delta 100%_done']);
    expect(await names(search, '?limit=1&offset=2')).toEqual([]);
  });

  it.each([
    ["x' OR '1'='1", 'search key'],
    ['a"b', 'search key'],
    ['$.backup_name', 'search key'],
    ['backup_name) OR 1=1 --', 'search key'],
    ['', 'search key'],
  ])('rejects the hostile key %j with 400 and leaks nothing', async (key, start) => {
    const res = await server.request('GET', '/v2/p/backups', { json: { match: [{ [key]: 'x' }] }, headers: user });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ description: startingWith(start) });
  });

  it('treats hostile values as plain data', async () => {
    await checkEach(["' OR '1'='1", '"; DROP TABLE backups; --', '\\', '%', '_'], async (value) => {
      expect(await names({ match: [{ backup_name: value }] })).toEqual([]);
      expect(await names({ match: [{ 'meta.zone': value }] })).toEqual([]);
    });
    expect(await names({})).toHaveLength(4);
  });

  it.each([
    [{ match: [{ meta: { zone: 'z1' } }] }, 'search value for "meta" must be a string, number, boolean or null'],
    [{ match: [{ _all: 5 }] }, 'search "_all" must be a string'],
    [{ match: 'container=c1' }, 'body field "match" must be array'],
    [{ match: [{}] }, 'body field "match.0" must NOT have fewer than 1 properties'],
    [{ where: 'anything' }, 'body has unknown property "where"'],
    [{ time_after: 'yesterday' }, 'body field "time_after" must be integer'],
  ])('rejects the malformed search %j with 400', async (search, description) => {
    const res = await server.request('GET', '/v2/p/backups', { json: search, headers: user });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ title: 'Bad Request', description });
  });

  it("treats Object.prototype's names as plain keys nobody has", async () => {
    await checkEach(['constructor', 'toString', 'hasOwnProperty', '__defineGetter__'], async (key) => {
      expect(await names({ match: [{ [key]: 'x' }] })).toEqual([]);
      expect(await names({ match_not: [{ [key]: 'x' }] })).toHaveLength(4);
    });
  });

  it('rejects numbers JSON cannot hold (1e400) with 400', async () => {
    await checkEach(['{"time_after": 1e400}', '{"match": [{"level": 1e400}]}', '{"time_before": -1e400}'], async (raw) => {
      const res = await server.request('GET', '/v2/p/backups', { raw, headers: { ...user, 'Content-Type': 'application/json' } });
      expect(res.status).toBe(400);
    });
  });

  it('searches clients by their indexed and free-form fields', async () => {
    const clients = [
      { client_id: 'p_n1', hostname: 'n1', supported_modes: ['fs'] },
      { client_id: 'p_n2', hostname: 'n2', description: 'db server' },
    ];
    for (const json of clients) await server.request('POST', '/v2/p/clients', { json, headers: user });
    const ids = async (search: unknown) =>
      (
        (await server.request('GET', '/v2/p/clients', { json: search, headers: user })).body as {
          clients: { client: { client_id: string } }[];
        }
      ).clients.map((c) => c.client.client_id);
    expect(await ids({ match: [{ client_id: 'p_n2' }] })).toEqual(['p_n2']);
    expect(await ids({ match: [{ hostname: 'n1' }] })).toEqual(['p_n1']);
    expect(await ids({ match: [{ description: null }] })).toEqual(['p_n1']);
    expect(await ids({ match: [{ _all: 'DB SERVER' }] })).toEqual(['p_n2']);
  });

  it('finds keys at any depth in jobs, sessions and clients, and free text as the web UI sends it', async () => {
    const post = async (path: string, json: unknown) => {
      const res = await server.request('POST', `/v2/p/${path}`, { json, headers: user });
      expect(res.status).toBe(201);
    };
    const list = async <T>(path: string, search: unknown, pick: (item: T) => string) =>
      ((await server.request('GET', `/v2/p/${path}`, { json: search, headers: user })).body as Record<string, T[]>)[path]!.map(
        pick,
      );
    await post('clients', { client_id: 'p_deep1', hostname: 'rack7-node1', labels: [{ site: { room: 'r1' } }] });
    await post('clients', {
      client_id: 'p_deep2',
      hostname: 'node22',
      description: 'Zürich Ä',
      labels: [{ site: { room: 'r2' } }],
    });
    type Client = { client: { client_id: string } };
    const clients = (search: unknown) => list<Client>('clients', search, (c) => c.client.client_id);
    expect(await clients({ match: [{ room: 'r1' }] })).toEqual(['p_deep1']);
    expect(await clients({ match: [{ 'site.room': 'r2' }] })).toEqual(['p_deep2']);
    expect(await clients({ match: [{ room: 'r2' }], match_not: [{ room: 'r2' }] })).toEqual([]);
    // The web UI's filter box: free text, ignoring case, anywhere in the registration.
    expect(await clients({ match: [{ _all: 'node2' }] })).toEqual(['p_deep2']);
    expect(await clients({ match: [{ _all: 'RACK7' }] })).toEqual(['p_deep1']);
    // Beyond ASCII, text typed exactly as stored is found on every engine.
    expect(await clients({ match: [{ _all: 'Zürich Ä' }] })).toEqual(['p_deep2']);

    const action = (mode: string, extra: object) => ({ freezer_action: { action: 'backup', mode, backup_name: 'b', ...extra } });
    await post('jobs', { client_id: 'p_deep1', description: 'first', job_actions: [action('fs', { options: { shelf: 'A1' } })] });
    await post('jobs', {
      client_id: 'p_deep2',
      description: 'second on node1',
      job_actions: [action('fs', {}), action('mysql', { options: { shelf: 'B2' } })],
    });
    type Job = { description: string };
    const jobs = (search: unknown) => list<Job>('jobs', search, (j) => j.description);
    expect(await jobs({ match: [{ shelf: 'A1' }] })).toEqual(['first']);
    expect(await jobs({ match: [{ mode: 'mysql' }] })).toEqual(['second on node1']);
    expect(await jobs({ match: [{ 'freezer_action.mode': 'fs' }] })).toEqual(['first', 'second on node1']);
    expect(await jobs({ match_not: [{ shelf: 'B2' }] })).toEqual(['first']);
    expect(await jobs({ match: [{ shelf: null }] })).toEqual([]);
    expect(await jobs({ match: [{ _all: 'node1' }] })).toEqual(['second on node1']);
    expect(await jobs({ match: [{ _all: 'P_DEEP1' }] })).toEqual(['first']);

    await post('sessions', {
      description: 'nightly',
      schedule: { schedule_interval: '1 days' },
      owner: { team: { name: 'ops' } },
    });
    await post('sessions', { description: 'weekly', schedule: { schedule_interval: '7 days' } });
    type Session = { description: string };
    const sessions = (search: unknown) => list<Session>('sessions', search, (x) => x.description);
    expect(await sessions({ match: [{ name: 'ops' }] })).toEqual(['nightly']);
    expect(await sessions({ match: [{ schedule_interval: '7 days' }] })).toEqual(['weekly']);
    expect(await sessions({ match_not: [{ name: 'ops' }] })).toEqual(['weekly']);
  });
});
