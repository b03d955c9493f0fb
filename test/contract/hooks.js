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
 * each transaction the hooks turn that request into one that answers the transaction's status,
 * with the recipes test/http/statuses.test.ts uses too (test/helpers/status-recipes.js): a user of
 * its own, real items for every id in the path (none for 404), and exactly the one thing the
 * status is about broken. A new error status fails with "no recipe" until one is added there.
 * After each transaction the real body is checked against the spec's schema with openapi-backend
 * (Dredd itself only checks the status, that the headers the spec names (Content-Type, ETag) are
 * there, and that the example's keys exist).
 *
 * SKIPPED TRANSACTIONS (those the recipes' `serverNeeded` sends to another server than the
 * ordinary noauth one; nothing else is skipped):
 *  - Every `500` transaction (documented on all operations but GET / and GET /healthcheck):
 *    500 means an unexpected failure inside the server, such as a lost database connection. It
 *    cannot be provoked from outside without breaking the server (and so every transaction that
 *    follows).
 *  - `503` of `/healthcheck` and `/readyz` (GET and HEAD): needs the database to be unreachable,
 *    for the same reason.
 *  - `GET /metrics` `401` and `404`: answered only by a server with FREEZER_API_METRICS_TOKEN or
 *    FREEZER_API_METRICS_LISTEN set; this one has neither.
 *  - Every `401`, `403` and `503` of the /v1 and /v2 operations: they are keystone mode's answers
 *    (no or invalid token, a token for another project, Keystone unreachable), and Dredd runs
 *    against the server in noauth mode, where they cannot happen.
 * All of these are produced for every operation by test/http/statuses.test.ts: against a server
 * whose database connection has been closed, a keystone-mode server that cannot reach Keystone,
 * one using the real Keystone of test/keystone/start.sh, and servers with those metrics settings.
 * (Dredd's HEAD requests get through thanks to test/contract/head-without-body.cjs.)
 */
const hooks = require('hooks');
const path = require('node:path');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');
const OpenAPIBackend = require('openapi-backend').default;
const { prepare, serverNeeded, showsItem } = require(path.join(__dirname, '..', 'helpers', 'status-recipes.js'));

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

hooks.beforeAll((transactions, done) => {
  api.init().then(
    () => done(),
    (err) => {
      for (const t of transactions) t.fail = `openapi-backend cannot load the spec: ${err.message}`;
      done();
    },
  );
});

// Dredd's hooks take a callback; this runs an async hook and turns a rejection into a failure.
const withDone = (fn) => (t, done) => {
  fn(t).then(
    () => done(),
    (err) => {
      t.fail = `hook error: ${err.message}`;
      done();
    },
  );
};

hooks.beforeEach(
  withDone(async (t) => {
    const status = Number(t.expected.statusCode);
    const template = t.origin.resourceName; // the spec's path, e.g. /v2/{project_id}/jobs/{job_id}/event
    // Exactly the skips listed at the top.
    if (serverNeeded(status, template)) {
      t.skip = true;
      return;
    }
    const { request, listed } = await prepare((method, urlPath, body, headers) => send(t, method, urlPath, body, headers), {
      template,
      status,
      userPrefix: 'contract-user',
      request: { method: t.request.method, path: t.fullPath, headers: t.request.headers, body: t.request.body },
    });
    // Dredd sends t.fullPath; t.request.uri is what reporters show (the same: the endpoint has no path).
    t.fullPath = request.path;
    t.request.uri = request.path;
    t.request.headers = request.headers;
    t.request.body = request.body === undefined ? '' : request.body;
    // afterEach checks the list shows the item made for it.
    t.listsFixture = listed;
  }),
);

// Koa appends `; charset=utf-8`, Dredd compares the media type exactly (TOOLCHAIN G9).
// Dredd also compares a text body with the spec's example character for character, which only
// illustrates a live answer (the metrics' values change with every request), and the YAML document
// has no example at all: afterEach checks such a body against its schema instead.
hooks.beforeEachValidation((t) => {
  const type = t.real && t.real.headers['content-type'];
  if (type) t.real.headers['content-type'] = type.split(';')[0].trim();
  if (type && (type.startsWith('text/') || type.startsWith('application/yaml'))) t.expected.body = t.real.body;
  // Dredd expects every header the spec declares; the spec requires only some (`Link` is on full
  // pages only): Dredd keeps checking the required ones; test/helpers/spec.ts checks the values.
  const declared = declaredHeaders(t);
  for (const name of Object.keys(t.expected.headers || {})) {
    const header = declared[Object.keys(declared).find((d) => d.toLowerCase() === name.toLowerCase())];
    if (header && !header.required) delete t.expected.headers[name];
  }
});

/** The headers the spec declares for the transaction's status ({} when none or not found). */
function declaredHeaders(t) {
  try {
    const op = api.router.matchOperation({ method: t.request.method.toLowerCase(), path: pathOf(t), headers: {} });
    const response = op && op.responses[String(t.expected.statusCode)];
    return (response && response.headers) || {};
  } catch {
    return {};
  }
}

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
      if (t.listsFixture && !showsItem(body)) {
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

/** Sends a request of the recipes' to the server under test; the answer's JSON parsed. */
async function send(t, method, urlPath, body, headers) {
  const res = await fetch(`${t.protocol}//${t.host}:${t.port}${urlPath}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: /json/.test(res.headers.get('content-type') || '') && text ? JSON.parse(text) : text };
}
