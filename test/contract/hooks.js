/*
 * Dredd hooks for the contract test (test/contract/run.js runs Dredd with them).
 *
 * RUNNING
 *   npm run test:contract                       # SQLite (a fresh file)
 *   FREEZER_TEST_MYSQL_URL=mysql://user:pass@host:3306/freezer_test npm run test:contract
 *                                               # SQLite, then a fresh sibling MySQL database
 *
 * WHAT THE HOOKS DO
 * Dredd compiles one transaction per operation × documented status and sends the spec's example
 * request for each: example ids that exist nowhere, example bodies, and the example user. Before
 * each transaction the hooks
 *   1. give it a user of its own (`X-User-Id`), so nothing one transaction makes is seen by another
 *      (every resource is scoped by user, and in v2 by the URL's project too);
 *   2. make it a request that would succeed: every id in the path names an item the user really
 *      has (created through the API, see FIXTURES), except in 404 transactions, where every id
 *      names nothing; jobs need their client registered, and a job acted on within a session must
 *      be in that session; a list that should answer 200 gets an item to show, and its `marker`
 *      names an item made just before that one;
 *   3. break exactly the one thing its status is about (see the `switch` on the status:
 *      400 unknown query parameter, 404 missing ids, 406 Accept, 409 create twice, 412 stale
 *      If-Match, 413 big body, 415 text/plain, 422 unregistered client).
 * The rules are keyed on the path's parameter names, the method and the status, never on a
 * transaction's name, so a new operation with the same shapes needs no new hook; a new error
 * status fails with "no reshaping rule" until one is added.
 * After each transaction the real body is checked against the spec's schema with openapi-backend
 * (Dredd itself only checks the status, that the headers the spec names (Content-Type, ETag) are
 * there, and that the example's keys exist).
 *
 * SKIPPED TRANSACTIONS (nothing else is skipped):
 *  - Every `500` transaction (documented on all operations but GET / and GET /healthcheck):
 *    500 means an unexpected failure inside the server, such as a lost database connection. It
 *    cannot be provoked from outside without breaking the server (and so every transaction that
 *    follows).
 *  - `GET /healthcheck` `503`: needs the database to be unreachable, for the same reason.
 *  - Every `401`, `403` and `503` of the /v1 and /v2 operations: they are keystone mode's answers
 *    (no or invalid token, a token for another project, Keystone unreachable), and Dredd runs
 *    against the server in noauth mode, where they cannot happen.
 * All of these are produced for every operation by test/http/statuses.test.ts: against a server
 * whose database connection has been closed, a keystone-mode server that cannot reach Keystone,
 * and one using the real Keystone of test/keystone/start.sh.
 */
const hooks = require('hooks');
const path = require('node:path');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');
const OpenAPIBackend = require('openapi-backend').default;

const SPEC = path.join(__dirname, '..', '..', 'spec', 'openapi.yaml');
const api = new OpenAPIBackend({
  definition: SPEC,
  strict: true,
  customizeAjv: (ajv) => {
    addFormats(ajv);
    return ajv;
  },
});
// openapi-backend only validates application/json bodies; this one checks the others
// (application/json-home home documents, the text/plain health check) against the same schemas.
const otherAjv = addFormats(new Ajv({ strict: false, allErrors: true }));
const otherValidators = new Map();

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
    body: { backup_name: 'contract_backup', container: 'freezer_container', hostname: 'node1' },
  },
  client_id: {
    collection: 'clients',
    body: { client_id: 'contract_node1', hostname: 'node1', supported_actions: ['backup'] },
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

let users = 0;

hooks.beforeAll((transactions, done) => {
  api.init().then(() => done(), (err) => {
    for (const t of transactions) t.fail = `openapi-backend cannot load the spec: ${err.message}`;
    done();
  });
});

// Dredd's hooks take a callback; this runs an async hook and turns a rejection into a failure.
const withDone = (fn) => (t, done) => {
  fn(t).then(() => done(), (err) => {
    t.fail = `hook error: ${err.message}`;
    done();
  });
};

hooks.beforeEach(withDone(async (t) => {
  const status = Number(t.expected.statusCode);
  const method = t.request.method;
  const template = t.origin.resourceName; // the spec's path, e.g. /v2/{project_id}/jobs/{job_id}/event
  // Exactly the skips listed at the top; any other 5xx falls through to "no reshaping rule".
  if (status === 500 || status === 503 || status === 401 || status === 403) {
    t.skip = true;
    return;
  }
  // 1. Every transaction acts as a user of its own, so fixtures and creations never collide and
  // lists hold exactly what this transaction made.
  setHeader(t, 'X-User-Id', `contract-user-${++users}`);

  // 2. A request that would succeed. Error transactions get real items too, so that each one differs
  // from a successful request only by what its status is about (except 404, which is about ids).
  // Jobs must name a client the user registered in the project (422 otherwise), and sessions take
  // jobs: register the one the spec's job examples and the job fixture name.
  if (/\/(jobs|sessions)(\/|$)/.test(template)) await registerClient(t);
  const ids = {};
  for (const { name, index } of pathIds(t)) {
    ids[name] = status === 404 ? `contract-missing-${name.replace(/_id$/, '')}` : await create(t, name);
    setSegment(t, index, ids[name]);
  }
  if (ids.session_id && status !== 404) {
    if (/\/action$/.test(template)) {
      // The session handshake names a job in its body ({"start": {"job_id": …}}), which must be
      // one of the session's jobs (400 otherwise): make one, add it, and name it.
      const jobId = await create(t, 'job_id');
      await addToSession(t, ids.session_id, jobId);
      const body = JSON.parse(t.request.body);
      for (const args of Object.values(body)) {
        if (args && typeof args === 'object' && 'job_id' in args) args.job_id = jobId;
      }
      t.request.body = JSON.stringify(body);
    } else if (ids.job_id && method === 'DELETE') {
      // Taking a job out of a session: put it in first, so that the removal removes something.
      await addToSession(t, ids.session_id, ids.job_id);
    }
  }
  const collection = lastSegment(template);
  // Keyset paging: Dredd sends the spec's example `marker`, an id this user has not got (a 400).
  // Name an item made before the fixture below instead, so that the page after it shows the fixture.
  if (method === 'GET' && idKeyOf(collection) && /[?&]marker=/.test(t.fullPath)) {
    const marker = collection === 'clients' ? (await registerClient(t), EXAMPLE_CLIENT) : await create(t, idKeyOf(collection));
    rewrite(t, (uri) => uri.replace(/([?&]marker=)[^&]*/, `$1${encodeURIComponent(marker)}`));
  }
  // Lists need an item, since Dredd checks every key of the one-item list examples (and an empty
  // list would prove nothing about the item schema); afterEach checks the list shows it.
  if (method === 'GET' && status === 200 && idKeyOf(collection)) {
    await create(t, idKeyOf(collection));
    t.listsFixture = true;
  }

  // 3. Break the one thing the status is about.
  switch (status) {
    case 400:
      // Works for every operation: unknown query parameters are rejected by validation.
      // (An X-User-Id of 65 characters does not: GET /v1 and GET /v2 never read the identity.)
      addToQuery(t, 'contract_unknown_parameter=1');
      // Dredd asks for the error's media type; the health check would answer that with 406 first.
      setHeader(t, 'Accept', '*/*');
      return;
    case 404:
      // Done above: every id in the path names nothing.
      return;
    case 406:
      // An Accept that allows none of the operation's types (the health check answers text/plain).
      setHeader(t, 'Accept', template === '/healthcheck' ? 'application/json' : 'text/html');
      return;
    case 409: {
      // Create the very same item first; the transaction then creates it again. Clients are named
      // by the body's client_id; actions get a new id unless the body names one, so name one.
      const idKey = idKeyOf(collection);
      const body = JSON.parse(t.request.body);
      if (idKey && !(idKey in body)) body[idKey] = 'contract-conflict';
      t.request.body = JSON.stringify(body);
      const res = await send(t, 'POST', pathOf(t), t.request.body);
      if (res.status !== 201) throw new Error(`409 fixture: POST ${pathOf(t)} answered ${res.status}`);
      return;
    }
    case 412:
      // The items made above are at version 1 (or 2, once a session took a job): never 999.
      // (Elsewhere Dredd sends the declared If-Match empty, for want of an example; the server
      // reads an empty If-Match as none.)
      setHeader(t, 'If-Match', '"999"');
      return;
    case 413:
      // Just over the default 1 MiB body limit.
      t.request.body = JSON.stringify({ pad: 'x'.repeat(1100000) });
      setHeader(t, 'Content-Type', 'application/json');
      setHeader(t, 'Content-Length', String(Buffer.byteLength(t.request.body)));
      return;
    case 415:
      // The example body, declared as something other than JSON.
      setHeader(t, 'Content-Type', 'text/plain');
      return;
    case 422:
      // A job must name a client the user registered: name one nobody registered. Merged into the
      // example body, so a create or replace names it, and a patch changes the job's client to it.
      t.request.body = JSON.stringify({ ...JSON.parse(t.request.body), client_id: 'never-registered' });
      return;
  }
  if (status >= 400) throw new Error(`no reshaping rule for status ${status}`); // a new status: add a rule
}));

// Koa appends `; charset=utf-8`, Dredd compares the media type exactly (TOOLCHAIN G9).
hooks.beforeEachValidation((t) => {
  const type = t.real && t.real.headers['content-type'];
  if (type) t.real.headers['content-type'] = type.split(';')[0].trim();
});

// Dredd only checks that the example's keys exist; check the real body against the schema.
hooks.afterEach((t) => {
  if (t.skip || !t.real) return;
  const problems = [];
  const status = t.real.statusCode;
  if (String(status) !== String(t.expected.statusCode)) {
    problems.push(`status ${status}, expected ${t.expected.statusCode}`);
  }
  try {
    const op = api.router.matchOperation({ method: t.request.method.toLowerCase(), path: pathOf(t), headers: {} });
    if (!op) throw new Error(`no operation for ${t.request.method} ${pathOf(t)}`);
    const mediaType = (t.real.headers['content-type'] || '').split(';')[0].trim();
    const response = op.responses[String(status)];
    if (!response) throw new Error(`${op.operationId} does not document status ${status}`);
    const text = t.real.body || '';
    if (!response.content || mediaType === 'application/json') {
      const body = text === '' ? null : JSON.parse(text);
      // An empty list would satisfy schema and example alike, and prove nothing.
      if (t.listsFixture && !Object.values(body || {}).some((v) => Array.isArray(v) && v.length > 0)) {
        problems.push('the list does not show the fixture created for it');
      }
      const result = api.validateResponse(body, op, status);
      for (const e of result.errors || []) problems.push(`${e.instancePath || '/'} ${e.message}`);
    } else {
      const schema = response.content[mediaType] && response.content[mediaType].schema;
      if (!schema) throw new Error(`${op.operationId} ${status} does not document ${mediaType}`);
      const key = `${op.operationId} ${status} ${mediaType}`;
      if (!otherValidators.has(key)) otherValidators.set(key, otherAjv.compile(schema));
      const validate = otherValidators.get(key);
      if (!validate(/json/.test(mediaType) ? JSON.parse(text) : text)) {
        for (const e of validate.errors) problems.push(`${e.instancePath || '/'} ${e.message}`);
      }
    }
  } catch (err) {
    problems.push(err.message);
  }
  if (problems.length) t.fail = `response does not match the spec: ${problems.join('; ')}`;
});

/** The request path without its query string. */
const pathOf = (t) => t.fullPath.split('?')[0];

const lastSegment = (p) => p.split('/').pop();

/** The item ids in the spec's path and their segment positions (the v2 project stays the example's). */
function pathIds(t) {
  return t.origin.resourceName
    .split('/')
    .map((segment, index) => ({ name: (/^\{(\w+)\}$/.exec(segment) || [])[1], index }))
    .filter(({ name }) => name && name !== 'project_id');
}

/** Where the transaction's collections live: `/v1`, or `/v2/<the URL's project>`. */
function prefixOf(t) {
  const depth = t.origin.resourceName.includes('{project_id}') ? 3 : 2;
  return pathOf(t).split('/').slice(0, depth).join('/');
}

/** Dredd sends t.fullPath; t.request.uri is what reporters show. Keep both in step. */
function rewrite(t, fn) {
  t.fullPath = fn(t.fullPath);
  t.request.uri = fn(t.request.uri);
}

/** Replaces the path segment at `index` (as counted in the spec's path) with `value`. */
function setSegment(t, index, value) {
  rewrite(t, (uri) => {
    const [p, ...query] = uri.split('?');
    const segments = p.split('/');
    segments[index] = encodeURIComponent(value);
    return [segments.join('/'), ...query].join('?');
  });
}

function addToQuery(t, pair) {
  rewrite(t, (uri) => `${uri}${uri.includes('?') ? '&' : '?'}${pair}`);
}

function setHeader(t, name, value) {
  for (const key of Object.keys(t.request.headers)) {
    if (key.toLowerCase() === name.toLowerCase()) delete t.request.headers[key];
  }
  t.request.headers[name] = value;
}

/** Sends a request as the transaction's user (only X-User-Id matters for scoping). */
function send(t, method, urlPath, body) {
  const user = Object.entries(t.request.headers).find(([k]) => k.toLowerCase() === 'x-user-id');
  return fetch(`${t.protocol}//${t.host}:${t.port}${urlPath}`, {
    method,
    headers: { 'Content-Type': 'application/json', 'X-User-Id': user ? user[1] : '' },
    body,
  });
}

/** Creates an item of the kind `idKey` names for the transaction's user; resolves with its id. */
async function create(t, idKey) {
  const { collection, body } = FIXTURES[idKey];
  const url = `${prefixOf(t)}/${collection}`;
  const res = await send(t, 'POST', url, JSON.stringify(body));
  if (res.status !== 201) throw new Error(`fixture: POST ${url} answered ${res.status}`);
  return (await res.json())[idKey];
}

/** Registers EXAMPLE_CLIENT, which job fixtures and the spec's job examples name. */
async function registerClient(t) {
  const url = `${prefixOf(t)}/clients`;
  const res = await send(t, 'POST', url, JSON.stringify({ client_id: EXAMPLE_CLIENT }));
  if (res.status !== 201) throw new Error(`client fixture: POST ${url} answered ${res.status}`);
}

async function addToSession(t, sessionId, jobId) {
  const url = `${prefixOf(t)}/sessions/${encodeURIComponent(sessionId)}/jobs/${encodeURIComponent(jobId)}`;
  const res = await send(t, 'PUT', url);
  if (res.status !== 204) throw new Error(`fixture: PUT ${url} answered ${res.status}`);
}
