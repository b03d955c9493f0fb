/*
 * Dredd hooks for the contract test (test/contract/run.js runs Dredd with them).
 *
 * Dredd compiles one transaction per operation × documented status and sends the spec's example
 * request for each. The hooks below turn every error transaction into a request that really
 * produces its status, create the fixtures the success transactions need, and check every real
 * response body against the spec's schema (Dredd itself only checks that the example's keys exist).
 *
 * SKIPPED TRANSACTIONS (nothing else is skipped):
 *  - Every `500` transaction (documented on all operations but GET / and GET /healthcheck):
 *    500 means an unexpected failure inside the server, such as a lost database connection. It
 *    cannot be provoked from outside without breaking the server (and so every transaction that
 *    follows).
 *  - `GET /healthcheck` `503`: needs the database to be unreachable, for the same reason.
 * Both are produced for every operation by test/http/statuses.test.ts, against a server whose
 * database connection has been closed.
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

// Backup metadata for fixtures. Unlike the spec's request example (the v1 spelling `host_name`),
// it says `hostname`, which the Backup/BackupList response examples name and Dredd requires.
const BACKUP = { backup_name: 'contract_backup', container: 'freezer_container', hostname: 'node1' };
const CLIENT = { client_id: 'contract_node1', hostname: 'node1', supported_actions: ['backup'] };

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
  const resource = t.origin.resourceName;
  // Exactly the skips listed at the top; any other 5xx falls through to "no reshaping rule".
  if (status === 500 || (status === 503 && resource === '/healthcheck')) {
    t.skip = true;
    return;
  }
  // Every transaction acts as a user of its own, so fixtures and creations never collide
  // (resources are scoped by user) and lists hold exactly what this transaction made.
  setHeader(t, 'X-User-Id', `contract-user-${++users}`);
  const base = `${t.protocol}//${t.host}:${t.port}`;
  const byId = /\}$/.test(resource); // e.g. /v1/backups/{backup_id}

  switch (status) {
    case 400:
      // Works for every operation: unknown query parameters are rejected by validation.
      // (An X-User-Id of 65 characters does not: GET /v1 and GET /v2 never read the identity.)
      addToQuery(t, 'contract_unknown_parameter=1');
      // Dredd asks for the error's media type; the health check would answer that with 406 first.
      setHeader(t, 'Accept', '*/*');
      return;
    case 404:
      // Only by-id operations declare 404: ask for an id nobody created.
      setLastSegment(t, 'contract-missing-id');
      return;
    case 406:
      // An Accept that allows none of the operation's types (the health check answers text/plain).
      setHeader(t, 'Accept', resource === '/healthcheck' ? 'application/json' : 'text/html');
      return;
    case 409: {
      // Register the very same client first; the transaction then registers it again.
      const res = await post(base + pathOf(t), t.request.body, t.request.headers);
      if (res.status !== 201) throw new Error(`409 fixture: POST ${pathOf(t)} answered ${res.status}`);
      return;
    }
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
  }
  if (status >= 400) throw new Error(`no reshaping rule for status ${status}`); // a new status: add a rule

  // Success transactions: GET/DELETE by id need the resource to exist; lists need an item, since
  // Dredd checks every key of the one-item list examples.
  const fixtureFor = byId ? pathOf(t).replace(/\/[^/]+$/, '') : method === 'GET' ? pathOf(t) : null;
  if (fixtureFor && /\/(backups|clients)$/.test(fixtureFor)) {
    const isBackup = fixtureFor.endsWith('/backups');
    const res = await post(base + fixtureFor, JSON.stringify(isBackup ? BACKUP : CLIENT), t.request.headers);
    if (res.status !== 201) throw new Error(`fixture: POST ${fixtureFor} answered ${res.status}`);
    const created = await res.json();
    if (byId) setLastSegment(t, isBackup ? created.backup_id : created.client_id);
    else t.listsFixture = true; // afterEach checks the list really shows it
  }
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

/** Dredd sends t.fullPath; t.request.uri is what reporters show. Keep both in step. */
function rewrite(t, fn) {
  t.fullPath = fn(t.fullPath);
  t.request.uri = fn(t.request.uri);
}

function setLastSegment(t, id) {
  rewrite(t, (uri) => uri.replace(/\/[^/?]+(\?|$)/, `/${encodeURIComponent(id)}$1`));
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

/** POST a JSON body as the transaction's user (only X-User-Id matters for scoping). */
function post(url, body, headers) {
  const user = Object.entries(headers).find(([k]) => k.toLowerCase() === 'x-user-id');
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-User-Id': user ? user[1] : '' },
    body,
  });
}
