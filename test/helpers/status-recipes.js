// How to make each documented status happen: one set of recipes for both callers, the Jest test
// test/http/statuses.test.ts (every operation × status, on every engine, in noauth and keystone
// mode) and the Dredd hooks test/contract/hooks.js (the built server, in noauth mode).
//
// Plain CommonJS, typed by status-recipes.d.ts: Dredd's hook runner loads its hooks with `require`
// and no TypeScript build, and Jest loads this file through swc.
//
// A recipe starts from the request the spec's example would send (its path with the example's or
// any project, its example body) and
//   1. gives it a user of its own (`X-User-Id`), so that what it makes is its own (in v2 the
//      project's resources are every user's there, so a list may show other requests' items too);
//   2. makes it a request that would succeed: every id in the path names an item the user really
//      has (created through the API, see FIXTURES), except for 404, where every id names nothing;
//      jobs need their client registered, and a job acted on within a session must be in that
//      session; a list that should answer 200 gets an item to show, and its `marker` names an item
//      made just before that one;
//   3. breaks exactly the one thing its status is about (see BREAK).
// The rules are keyed on the spec's path (its parameter names), the method and the status, never
// on an operation's name, so a new operation with the same shapes needs no new rule; a new error
// status fails with "no recipe" until one is added.
//
// The callers bring their own HTTP as `send(method, path, body, headers)`: `body` is a value to
// send as JSON (or undefined), and it resolves with `{ status, body }` (the JSON answer parsed).

/** The client the spec's job examples name: registered for the user before any jobs/sessions request. */
const EXAMPLE_CLIENT = '6b2f3b1c9e8d4a0f8c1d2e3f4a5b6c7d_node1';

/**
 * How to make one item of each kind, keyed by the path parameter that names it: POST `body` to the
 * collection, and the answer's `<key>` is the new id. Each makes an item with every key its kind's
 * response examples name, since Dredd requires them in the GET and list answers.
 */
const FIXTURES = {
  // Unlike the spec's request example (the v1 spelling `host_name`), it says `hostname`, which the
  // Backup/BackupList response examples name.
  backup_id: {
    collection: 'backups',
    body: { backup_name: 'fixture_backup', container: 'freezer_container', hostname: 'node1' },
  },
  client_id: {
    collection: 'clients',
    body: { client_id: 'fixture_node1', hostname: 'node1', supported_actions: ['backup'] },
  },
  // A job names a client the user registered in the project (EXAMPLE_CLIENT, see registerClient).
  job_id: {
    collection: 'jobs',
    body: { client_id: EXAMPLE_CLIENT, job_actions: [{ freezer_action: { action: 'backup' } }] },
  },
  action_id: { collection: 'actions', body: { freezer_action: { action: 'backup' } } },
  session_id: { collection: 'sessions', body: { schedule: {} } },
};

/** The FIXTURES key whose collection is the given path segment (`jobs` → `job_id`). */
const idKeyOf = (collection) => Object.keys(FIXTURES).find((key) => FIXTURES[key].collection === collection);

/**
 * The server a status needs, when not the ordinary noauth one:
 *  - `keystone-unreachable`: keystone mode with no Keystone to ask: 401 without a token, and the
 *    home documents' 503 with one (they need no database);
 *  - `keystone`: a real Keystone, whose token for another project (or for none) gets 403;
 *  - `database-gone`: its database pool closed: 503 (the health check's too);
 *  - `database-broken`: its tables dropped, a schema that is not the server's: 500;
 *  - `impatient`: timeouts of half a second, so that a body that stops coming gets 408 soon;
 *  - `metrics-token`: FREEZER_API_METRICS_TOKEN set, so that a scrape without it gets 401;
 *  - `metrics-elsewhere`: FREEZER_API_METRICS_LISTEN set, so that /metrics here answers 404.
 * Dredd runs against the server in noauth mode and skips these; the Jest test starts each server.
 */
function serverNeeded(status, template) {
  if (template === '/metrics' && status === 401) return 'metrics-token';
  if (template === '/metrics' && status === 404) return 'metrics-elsewhere';
  if (status === 401) return 'keystone-unreachable';
  if (status === 403) return 'keystone';
  if (status === 500) return 'database-broken';
  if (status === 503) return template === '/v1' || template === '/v2' ? 'keystone-unreachable' : 'database-gone';
  if (status === 408) return 'impatient';
  return undefined;
}

/**
 * What to change in a request that would succeed so that it answers the status. Each gets the
 * request (to change in place) and the recipe's context (see `prepare`); missing statuses have no
 * recipe yet. 2xx and 300 need nothing: the request as prepared answers them.
 */
const BREAK = {
  // Works for every operation: unknown query parameters are rejected by validation.
  // (An X-User-Id of 65 characters does not: GET /v1 and GET /v2 never read the identity.)
  // Accept the error's media type.
  400: (request) => {
    addToQuery(request, 'unknown_parameter=1');
    setHeader(request.headers, 'Accept', '*/*');
  },
  // No identity at all (keystone mode reads no X-User-Id, and there is no token).
  401: (request) => deleteHeader(request.headers, 'X-User-Id'),
  // Needs a real Keystone's token for another project: test/http/statuses.test.ts makes its own.
  403: () => {},
  // Done in `prepare`: every id in the path names nothing.
  404: () => {},
  // The body promised in Content-Length never all comes: the impatient server stops waiting.
  408: (request) => {
    setHeader(request.headers, 'Content-Length', String(Buffer.byteLength(request.body ?? '') + 100));
  },
  // An Accept that allows none of the operation's types (JSON, the metrics' text, the /docs page).
  406: (request) => setHeader(request.headers, 'Accept', 'image/png'),
  // Ids name one item in the whole service. A create: make the very same item first (clients are
  // named by the body's client_id; actions and jobs get a new id unless the body names one, so
  // name one). A replace (POST on an item's URL): name an item another owner has (another project;
  // for v1, another user). A client: its id is another owner's central client.
  409: async (request, { template, collection, post, send, user }) => {
    const other = { 'X-User-Id': `${user['X-User-Id']}-other`, 'X-Roles': 'admin' };
    const otherPrefix = template.includes('{project_id}') ? '/v2/conflict-project' : '/v1';
    const postElsewhere = async (url, body) => {
      const res = await send('POST', url, body, other);
      if (res.status !== 201) throw new Error(`conflict fixture: POST ${url} answered ${res.status}`);
      return res.body;
    };
    const [item] = pathIds(template).slice(-1);
    if (template.endsWith('}') && item) {
      const { collection: itemCollection, body } = FIXTURES[item.name];
      if (itemCollection === 'jobs') await postElsewhere(`${otherPrefix}/clients`, { client_id: EXAMPLE_CLIENT });
      const made = await postElsewhere(`${otherPrefix}/${itemCollection}`, body);
      setSegment(request, item.index, made[item.name]);
      return;
    }
    const body = JSON.parse(request.body);
    if (collection === 'clients') {
      body.client_id = `conflict-${users}-node1`;
      await postElsewhere(`${otherPrefix}/clients`, { ...body, is_central: true });
    } else {
      const idKey = idKeyOf(collection);
      if (idKey && !(idKey in body)) body[idKey] = `conflict-${idKey.replace(/_id$/, '')}-${users}`;
      await post(pathOf(request), body, 'conflict fixture');
    }
    request.body = JSON.stringify(body);
  },
  // The items made by `prepare` are at version 1 (or 2, once a session took a job): never 999.
  412: (request) => setHeader(request.headers, 'If-Match', '"999"'),
  // Just over the URL limit of 8192 bytes.
  414: (request) => addToQuery(request, `padding=${'x'.repeat(8200)}`),
  // Just over the 16 KiB of request line and headers.
  431: (request) => setHeader(request.headers, 'X-Padding', 'x'.repeat(17000)),
  // Just over the default 1 MiB body limit.
  413: (request) => {
    request.body = JSON.stringify({ pad: 'x'.repeat(1100000) });
    setHeader(request.headers, 'Content-Type', 'application/json');
  },
  // The example body, declared as something other than JSON.
  415: (request) => setHeader(request.headers, 'Content-Type', 'text/plain'),
  // A job must name a client the user registered: name one nobody registered. Merged into the
  // example body, so a create or replace names it, and a patch changes the job's client to it.
  422: (request) => {
    request.body = JSON.stringify({ ...JSON.parse(request.body), client_id: 'never-registered' });
  },
  // Nothing more than their servers (see serverNeeded); in keystone mode, a token to check.
  500: () => {},
  503: (request, { template }) => {
    if (serverNeeded(503, template) !== 'keystone-unreachable') return;
    deleteHeader(request.headers, 'X-User-Id');
    setHeader(request.headers, 'X-Auth-Token', 'any');
  },
};

let users = 0;

/**
 * Turns the example request of the operation at `template` (the spec's path) into one that answers
 * `status`, making the items it needs with `send`. The request is `{ method, path, headers, body }`
 * (`path` is the concrete one, ids still the example's or `{name}`; `body` the JSON text, if any).
 * Resolves with the request to send and whether its answer must list an item (`listed`).
 * Throws for an error status that has no recipe, or when making an item fails.
 */
async function prepare(send, { template, status, request: example, userPrefix = 'recipe-user' }) {
  const request = { ...example, headers: { ...example.headers } };
  if (request.body === '') request.body = undefined;
  const { method } = request;
  // 1. A user of its own, so fixtures and creations never collide and lists hold exactly what this
  // request made.
  const user = { 'X-User-Id': `${userPrefix}-${++users}` };
  setHeader(request.headers, 'X-User-Id', user['X-User-Id']);
  const prefix = prefixOf(template, request.path);
  const post = async (url, body, what = 'fixture') => {
    const res = await send('POST', url, body, user);
    if (res.status !== 201) throw new Error(`${what}: POST ${url} answered ${res.status}`);
    return res.body;
  };
  const create = async (idKey) => {
    const { collection, body } = FIXTURES[idKey];
    return (await post(`${prefix}/${collection}`, body))[idKey];
  };
  const registerClient = () => post(`${prefix}/clients`, { client_id: EXAMPLE_CLIENT }, 'client fixture');
  const addToSession = async (sessionId, jobId) => {
    const url = `${prefix}/sessions/${encodeURIComponent(sessionId)}/jobs/${encodeURIComponent(jobId)}`;
    const res = await send('PUT', url, undefined, user);
    if (res.status !== 204) throw new Error(`fixture: PUT ${url} answered ${res.status}`);
  };

  // 2. A request that would succeed. Error requests get real items too, so that each one differs
  // from a successful request only by what its status is about (except 404, which is about ids).
  // Jobs must name a client the user registered in the project (422 otherwise), and sessions take
  // jobs: register the one the spec's job examples and the job fixture name.
  if (/\/(jobs|sessions)(\/|$)/.test(template)) await registerClient();
  const ids = {};
  for (const { name, index } of pathIds(template)) {
    ids[name] = status === 404 ? `missing-${name.replace(/_id$/, '')}` : await create(name);
    setSegment(request, index, ids[name]);
  }
  if (ids.session_id && status !== 404) {
    if (/\/action$/.test(template)) {
      // The session handshake names a job in its body ({"start": {"job_id": …}}), which must be
      // one of the session's jobs (400 otherwise): make one, add it, and name it.
      const jobId = await create('job_id');
      await addToSession(ids.session_id, jobId);
      const body = JSON.parse(request.body);
      for (const args of Object.values(body)) {
        if (args && typeof args === 'object' && 'job_id' in args) args.job_id = jobId;
      }
      request.body = JSON.stringify(body);
    } else if (ids.job_id && method === 'DELETE') {
      // Taking a job out of a session: put it in first, so that the removal removes something.
      await addToSession(ids.session_id, ids.job_id);
    }
  }
  const collection = template.split('/').pop();
  const listKey = method === 'GET' ? idKeyOf(collection) : undefined;
  // Keyset paging: the spec's example `marker` is an id this user has not got (a 400). Name an
  // item made before the one below instead, so that the page after it shows that one.
  if (listKey && /[?&]marker=/.test(request.path)) {
    const marker = collection === 'clients' ? (await registerClient(), EXAMPLE_CLIENT) : await create(listKey);
    request.path = request.path.replace(/([?&]marker=)[^&]*/, `$1${encodeURIComponent(marker)}`);
  }
  // Lists need an item, since Dredd checks every key of the one-item list examples (and an empty
  // list would prove nothing about the item schema); `showsItem` checks the answer lists it.
  const listed = Boolean(listKey) && status === 200;
  if (listed) await create(listKey);

  // 3. Break the one thing the status is about.
  const rule = BREAK[status];
  if (rule) await rule(request, { template, collection, post, send, user });
  else if (status >= 400) throw new Error(`no recipe for status ${status}: add one to BREAK in test/helpers/status-recipes.js`);
  return { request, listed };
}

/** True when a list answer shows at least one item (in any of its arrays). */
const showsItem = (body) => Object.values(body || {}).some((v) => Array.isArray(v) && v.length > 0);

/** The request path without its query string. */
const pathOf = (request) => request.path.split('?')[0];

/** The item ids in the spec's path and their segment positions (the v2 project stays as given). */
function pathIds(template) {
  return template
    .split('/')
    .map((segment, index) => ({ name: (/^\{(\w+)\}$/.exec(segment) || [])[1], index }))
    .filter(({ name }) => name && name in FIXTURES); // not project_id, nor a file's name (/docs/{script})
}

/** Where the request's collections live: `/v1`, or `/v2/<the URL's project>`. */
function prefixOf(template, path) {
  const depth = template.includes('{project_id}') ? 3 : 2;
  return path.split('?')[0].split('/').slice(0, depth).join('/');
}

/** Replaces the path segment at `index` (as counted in the spec's path) with `value`. */
function setSegment(request, index, value) {
  const [p, ...query] = request.path.split('?');
  const segments = p.split('/');
  segments[index] = encodeURIComponent(value);
  request.path = [segments.join('/'), ...query].join('?');
}

function addToQuery(request, pair) {
  request.path = `${request.path}${request.path.includes('?') ? '&' : '?'}${pair}`;
}

/** Sets a header, replacing any of the same name in another case. */
function setHeader(headers, name, value) {
  deleteHeader(headers, name);
  headers[name] = value;
}

function deleteHeader(headers, name) {
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
  }
}

/**
 * An operation's path with `project` for the v2 project and the spec's example for each other
 * path parameter that has one (a file's name, as Dredd uses it); ids are made by `prepare`.
 */
function examplePath(operation, project) {
  return (operation.parameters || []).reduce(
    (path, param) => (param.in === 'path' && param.example !== undefined ? path.replace(`{${param.name}}`, param.example) : path),
    operation.path.replace('{project_id}', project),
  );
}

module.exports = { EXAMPLE_CLIENT, FIXTURES, BREAK, serverNeeded, prepare, showsItem, setHeader, examplePath };
