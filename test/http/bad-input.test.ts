// A corpus of named bad requests, on every engine, over real HTTP: malformed JSON of many shapes,
// bytes that are not UTF-8, wrong types and out-of-range values in every kind of document, bad
// ids, query strings, identity headers and If-Match, oversized and over-nested bodies, media types
// the server does not take or cannot answer with, unknown paths and wrong methods. For each one:
//   - the answer is the 4xx it names, with the spec's error body {title, description} (the test
//     server's helper also checks it against the spec);
//   - the description says what is wrong (each case's pattern names the field, parameter, header
//     or limit);
//   - nothing in the answer looks like SQL, a database driver's error or a stack trace;
//   - no table of the database changed (every row of every table is compared before and after
//     each case);
//   - the connection it came on (kept alive, as clients keep them) still carries the next
//     request, unless the answer said `Connection: close`.
// Every operation of the spec has at least one case; the number of cases is printed.
import http from 'node:http';
import { engineRows } from '../helpers/engines';
import { checkEach } from '../helpers/failures';
import { probeConnection, serverFor, type TestServer } from '../helpers/http';
import { readSchema } from '../helpers/schema';
import { specApi } from '../helpers/spec';
import type { Knex } from 'knex';

interface BadInput {
  name: string;
  method: string;
  /** Sent exactly as written; `{backup}` and `{backup_v1}` stand for the fixture backups' ids. */
  path: string;
  /** Sent as is (a string as UTF-8). */
  body?: string | Buffer;
  /** Added to the member's identity; `Content-Type` is application/json for a body unless given here. */
  headers?: Record<string, string>;
  status: number;
  /** What the description must say. */
  description: RegExp;
}

const P = '/v2/bi-p1';
const MEMBER = { 'X-User-Id': 'bi-alice' };
const CLIENT = 'bi-node1';
const JOB = 'bi-job';
const ACTION = 'bi-action';
const SESSION = 'bi-session';
const JOB_V1 = 'bi-job-v1';
const ACTION_V1 = 'bi-action-v1';
const SESSION_V1 = 'bi-session-v1';
/** A job of another project's, whose id nobody else may take. */
const OTHER_JOB = 'bi-job-other';
/** The fixture client supports only these: anything else in a job is a 422. */
const CAPABILITIES = {
  supported_actions: ['backup'],
  supported_modes: ['fs'],
  supported_storages: ['local'],
  supported_engines: ['tar'],
};
const STEP = { freezer_action: { action: 'backup', mode: 'fs', storage: 'local', backup_name: 'b', container: 'c' } };
const BACKUP = { backup_name: 'bi-backup', container: 'bi-container', hostname: 'bi-host' };
const JOB_DOC = { client_id: CLIENT, job_actions: [STEP] };
const ACTION_DOC = { freezer_action: { action: 'backup', mode: 'fs' }, max_retries: 1 };
const SESSION_DOC = { description: 'bi', schedule: { schedule_interval: '1 days' }, hold_off: 30 };

/** The limit the test servers run with (the default). */
const BODY_LIMIT = 1024 * 1024;
const HUGE = 'x'.repeat(BODY_LIMIT + 1024);
const MERGE = { 'Content-Type': 'application/merge-patch+json' };

const json = (value: unknown) => JSON.stringify(value);
const nested = (depth: number, open = '{"a":', close = '}') => open.repeat(depth) + '1' + close.repeat(depth);
/** `before` + the bytes + `after`: a body that is not UTF-8 from `before`'s length on. */
const bytes = (before: string, inserted: number[], after: string) =>
  Buffer.concat([Buffer.from(before), Buffer.from(inserted), Buffer.from(after)]);

const MALFORMED = /^The request body is not a JSON object or array/;
const field = (name: string, problem: string) => new RegExp(`body field "${name.replace(/\./g, '\\.')}" ${problem}`);
const query = (name: string, problem: string) => new RegExp(`query parameter "${name.replace(/\./g, '\\.')}" ${problem}`);
const pathParam = (name: string, problem = 'must match pattern') => new RegExp(`path parameter "${name}" ${problem}`);
const NOT_ALLOWED = /^You are not allowed to access this resource$/;
const ETAG = /^header If-Match must be an ETag such as "3"/;
const TOO_LARGE = new RegExp(`^The request body exceeds the limit of ${BODY_LIMIT} bytes\\.$`);
const TOO_DEEP = /nests objects or arrays deeper than 30 levels/;
const NOT_ACCEPTABLE = (types: string) =>
  new RegExp(`^This operation answers with ${types}, which the Accept header does not allow\\.$`);
const UNSUPPORTED = (type: string) => new RegExp(`not ${type.replace(/[+.]/g, '\\$&')}\\.$`);
/**
 * A body that is not UTF-8 names the offset of its first bad byte: one that cannot start a
 * sequence, or the first that does not continue the sequence before it.
 */
const NOT_UTF8 = (offset: number) => new RegExp(`not valid UTF-8 at byte ${offset}\\b`);

/** Malformed JSON, every shape of it, to the upload of a backup. */
const MALFORMED_BODIES: [string, string][] = [
  ['truncated object', '{"backup_name": '],
  ['a lone brace', '{'],
  ['single-quoted strings', "{'backup_name': 'b'}"],
  ['unquoted keys', '{backup_name: "b"}'],
  ['a trailing comma in an object', '{"backup_name": "b",}'],
  ['a trailing comma in an array', '[1,]'],
  ['an extra closing brace', '{"backup_name": "b"}}'],
  ['two documents', '{"a": 1} {"b": 2}'],
  ['NaN', '{"level": NaN}'],
  ['Infinity', '{"level": Infinity}'],
  ['undefined', '{"level": undefined}'],
  ['a hexadecimal number', '{"level": 0x10}'],
  ['a number with a leading zero', '{"level": 01}'],
  ['a number without its leading digit', '{"level": .5}'],
  ['a number with a plus sign', '{"level": +1}'],
  ['an invalid escape', '{"backup_name": "\\x41"}'],
  ['a short unicode escape', '{"backup_name": "\\u12"}'],
  ['a raw control character in a string', '{"backup_name": "a\u0001b"}'],
  ['a raw newline in a string', '{"backup_name": "a\nb"}'],
  ['a line comment', '// the backup\n{"backup_name": "b"}'],
  ['a block comment', '/* the backup */ {"backup_name": "b"}'],
  ['trailing garbage', '{"backup_name": "b"} and more'],
  ['a NUL after the document', '{"backup_name": "b"}\u0000'],
  ['an unterminated string', '{"backup_name": "b'],
  ['a missing colon', '{"backup_name" "b"}'],
  ['a missing value', '{"backup_name": }'],
  ['a bare word', 'backup'],
  ['a JSON string', '"backup"'],
  ['a JSON number', '42'],
  ['JSON true', 'true'],
  ['JSON null', 'null'],
  ['whitespace only', '   \n\t'],
];

// One case a line, as a table.
// prettier-ignore
const CASES: BadInput[] = [
  // ---- paths and methods ----
  { name: 'unknown path', method: 'GET', path: `${P}/nothing`, status: 404, description: /^No resource at GET \/v2\/bi-p1\/nothing$/ },
  { name: 'unknown API version', method: 'GET', path: '/v3/backups', status: 404, description: /^No resource at GET \/v3\/backups$/ },
  { name: 'a segment past a job', method: 'GET', path: `${P}/jobs/${JOB}/extra`, status: 404, description: /^No resource at/ },
  { name: 'a segment past a v1 backup', method: 'GET', path: '/v1/backups/x/y', status: 404, description: /^No resource at/ },
  { name: 'a leading double slash', method: 'GET', path: '//v2/bi-p1/jobs', status: 404, description: /^No resource at/ },
  { name: 'an empty segment for the job id', method: 'GET', path: `${P}/jobs//${JOB}`, status: 404, description: /^No resource at/ },
  { name: 'PUT on backups', method: 'PUT', path: `${P}/backups`, status: 405, description: /answers GET, POST, not PUT$/ },
  { name: 'PATCH on backups', method: 'PATCH', path: `${P}/backups`, status: 405, description: /answers GET, POST, not PATCH$/ },
  { name: 'DELETE on jobs', method: 'DELETE', path: `${P}/jobs`, status: 405, description: /answers GET, POST, not DELETE$/ },
  { name: 'PATCH on a client', method: 'PATCH', path: `${P}/clients/${CLIENT}`, status: 405, description: /answers GET, DELETE, not PATCH$/ },
  { name: 'PUT on a job', method: 'PUT', path: `${P}/jobs/${JOB}`, status: 405, description: /answers GET, POST, DELETE, PATCH, not PUT$/ },
  { name: 'GET on a job event', method: 'GET', path: `${P}/jobs/${JOB}/event`, status: 405, description: /answers POST, not GET$/ },
  { name: 'GET on a session action', method: 'GET', path: `${P}/sessions/${SESSION}/action`, status: 405, description: /answers POST, not GET$/ },
  { name: 'POST on a session job', method: 'POST', path: `${P}/sessions/${SESSION}/jobs/${JOB}`, status: 405, description: /answers PUT, DELETE, not POST$/ },
  { name: 'OPTIONS on sessions', method: 'OPTIONS', path: `${P}/sessions`, status: 405, description: /answers GET, POST, not OPTIONS$/ },
  { name: 'PATCH on a v1 backup', method: 'PATCH', path: '/v1/backups/x', status: 405, description: /answers GET, DELETE, not PATCH$/ },
  { name: 'POST on a v1 client', method: 'POST', path: '/v1/clients/x', status: 405, description: /answers GET, DELETE, not POST$/ },
  { name: 'POST on the health check', method: 'POST', path: '/healthcheck', status: 405, description: /answers GET, not POST$/ },
  { name: 'DELETE on the versions', method: 'DELETE', path: '/', status: 405, description: /answers GET, not DELETE$/ },

  // ---- the HTTP layer: what Node's parser and the server's own limits refuse ----
  { name: 'a URL over 8192 bytes', method: 'GET', path: `${P}/jobs?marker=${'m'.repeat(8200)}`, status: 414, description: /the limit is 8192\.$/ },
  { name: 'headers over 16 KiB', method: 'POST', path: `${P}/backups`, body: json(BACKUP), headers: { 'X-Padding': 'p'.repeat(17 * 1024) }, status: 431, description: /^The request headers exceed 16384 bytes\.$/ },
  { name: 'a raw byte that is not UTF-8 in the path', method: 'DELETE', path: `${P}/jobs/bi-job\u00e9`, status: 400, description: /^The request is not valid HTTP\/1\.1/ },
  { name: 'a raw byte that is not UTF-8 in the query', method: 'GET', path: `${P}/backups?marker=\u00ff`, status: 400, description: /^The request is not valid HTTP\/1\.1/ },

  // ---- what the answer may be (Accept) ----
  { name: 'Accept text/html on a list', method: 'GET', path: `${P}/backups`, headers: { Accept: 'text/html' }, status: 406, description: NOT_ACCEPTABLE('application/json') },
  { name: 'Accept application/xml on a job', method: 'GET', path: `${P}/jobs/${JOB}`, headers: { Accept: 'application/xml' }, status: 406, description: NOT_ACCEPTABLE('application/json') },
  { name: 'Accept text/plain on a delete (nothing deleted)', method: 'DELETE', path: `${P}/jobs/${JOB}`, headers: { Accept: 'text/plain' }, status: 406, description: NOT_ACCEPTABLE('application/json') },
  { name: 'Accept image/png on an upload (nothing stored)', method: 'POST', path: `${P}/backups`, body: json(BACKUP), headers: { Accept: 'image/png' }, status: 406, description: NOT_ACCEPTABLE('application/json') },
  { name: 'Accept text/csv on a job PATCH (nothing changed)', method: 'PATCH', path: `${P}/jobs/${JOB}`, body: json({ description: 'changed' }), headers: { Accept: 'text/csv' }, status: 406, description: NOT_ACCEPTABLE('application/json') },
  { name: 'Accept application/json;q=0 on a session action', method: 'POST', path: `/v1/sessions/${SESSION_V1}/action`, body: json({ end: { job_id: JOB_V1, result: 'success' } }), headers: { Accept: 'application/json;q=0' }, status: 406, description: NOT_ACCEPTABLE('application/json') },
  { name: 'Accept text/html on adding a job to a session', method: 'PUT', path: `${P}/sessions/${SESSION}/jobs/${JOB}`, headers: { Accept: 'text/html' }, status: 406, description: NOT_ACCEPTABLE('application/json') },
  { name: 'Accept application/json on the health check', method: 'GET', path: '/healthcheck', headers: { Accept: 'application/json' }, status: 406, description: NOT_ACCEPTABLE('text/plain') },
  { name: 'Accept text/plain on the versions', method: 'GET', path: '/', headers: { Accept: 'text/plain' }, status: 406, description: NOT_ACCEPTABLE('application/json') },
  { name: 'Accept text/html on the v2 home document', method: 'GET', path: '/v2', headers: { Accept: 'text/html' }, status: 406, description: NOT_ACCEPTABLE('application/json-home') },
  { name: 'Accept text/html on the v1 home document', method: 'GET', path: '/v1', headers: { Accept: 'text/html' }, status: 406, description: NOT_ACCEPTABLE('application/json-home') },

  // ---- what the body may be (Content-Type) ----
  ...['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'json', 'application/jsonx'].map((type): BadInput => ({ name: `a backup sent as ${type}`, method: 'POST', path: `${P}/backups`, body: json(BACKUP), headers: { 'Content-Type': type }, status: 415, description: UNSUPPORTED(type)})),
  { name: 'a merge patch where only JSON is taken', method: 'POST', path: `${P}/actions`, body: json(ACTION_DOC), headers: MERGE, status: 415, description: /^Request bodies must be application\/json, not application\/merge-patch\+json\.$/ },
  { name: 'a JSON patch to PATCH', method: 'PATCH', path: `${P}/actions/${ACTION}`, body: '[]', headers: { 'Content-Type': 'application/json-patch+json' }, status: 415, description: /^Request bodies must be application\/json or application\/merge-patch\+json, not application\/json-patch\+json\.$/ },
  { name: 'a search sent as text/plain', method: 'GET', path: `${P}/jobs`, body: json({ match: [] }), headers: { 'Content-Type': 'text/plain' }, status: 415, description: UNSUPPORTED('text/plain') },
  { name: 'a job event sent as text/xml', method: 'POST', path: `${P}/jobs/${JOB}/event`, body: json({ start: null }), headers: { 'Content-Type': 'text/xml' }, status: 415, description: UNSUPPORTED('text/xml') },
  { name: 'a session action sent as application/xml', method: 'POST', path: `${P}/sessions/${SESSION}/action`, body: json({ end: { job_id: JOB, result: 'success' } }), headers: { 'Content-Type': 'application/xml' }, status: 415, description: UNSUPPORTED('application/xml') },
  { name: 'a backup PATCH sent as text/plain', method: 'PATCH', path: `${P}/backups/{backup}`, body: json({ status: 'error' }), headers: { 'Content-Type': 'text/plain' }, status: 415, description: UNSUPPORTED('text/plain') },
  { name: 'a v1 job sent as text/html', method: 'POST', path: '/v1/jobs', body: json(JOB_DOC), headers: { 'Content-Type': 'text/html' }, status: 415, description: UNSUPPORTED('text/html') },
  // Contract: a charset other than UTF-8 is a 415.
  { name: 'JSON in latin1', method: 'POST', path: `${P}/backups`, body: json(BACKUP), headers: { 'Content-Type': 'application/json; charset=latin1' }, status: 415, description: /latin1/ },
  { name: 'JSON in iso-8859-1', method: 'POST', path: `${P}/clients`, body: json({ client_id: 'bi-latin' }), headers: { 'Content-Type': 'application/json; charset=iso-8859-1' }, status: 415, description: /iso-8859-1/ },
  { name: 'JSON in UTF-16', method: 'POST', path: `${P}/sessions`, body: json(SESSION_DOC), headers: { 'Content-Type': 'application/json; charset=utf-16' }, status: 415, description: /utf-16/ },
  { name: 'a merge patch in latin1', method: 'PATCH', path: `${P}/sessions/${SESSION}`, body: json({ description: 'x' }), headers: { 'Content-Type': 'application/merge-patch+json; charset=latin1' }, status: 415, description: /latin1/ },

  // ---- body size ----
  { name: 'a backup over the body limit', method: 'POST', path: `${P}/backups`, body: json({ ...BACKUP, pad: HUGE }), status: 413, description: TOO_LARGE },
  { name: 'a job PATCH over the body limit', method: 'PATCH', path: `${P}/jobs/${JOB}`, body: json({ description: HUGE }), status: 413, description: TOO_LARGE },
  { name: 'a search over the body limit', method: 'GET', path: `${P}/backups`, body: json({ match: [{ backup_name: HUGE }] }), status: 413, description: TOO_LARGE },
  { name: 'a session action over the body limit', method: 'POST', path: `${P}/sessions/${SESSION}/action`, body: json({ end: { job_id: JOB, result: HUGE } }), status: 413, description: TOO_LARGE },
  { name: 'a v1 client over the body limit', method: 'POST', path: '/v1/clients', body: json({ client_id: 'bi-huge', description: HUGE }), status: 413, description: TOO_LARGE },

  // ---- malformed JSON ----
  ...MALFORMED_BODIES.map(([shape, body]): BadInput => ({ name: `malformed JSON: ${shape}`, method: 'POST', path: `${P}/backups`, body, status: 400, description: MALFORMED})),
  { name: 'malformed JSON in a merge patch', method: 'PATCH', path: `${P}/actions/${ACTION}`, body: '{"mandatory": nul', headers: MERGE, status: 400, description: MALFORMED },
  { name: 'malformed JSON in a job event', method: 'POST', path: `${P}/jobs/${JOB}/event`, body: '{"start": }', status: 400, description: MALFORMED },
  { name: 'malformed JSON in a session action', method: 'POST', path: `${P}/sessions/${SESSION}/action`, body: '{"end": {"job_id": "bi-job",}}', status: 400, description: MALFORMED },
  { name: 'malformed JSON in a search', method: 'GET', path: `${P}/jobs`, body: '{"match": [', status: 400, description: MALFORMED },
  { name: 'malformed JSON in a v1 job', method: 'POST', path: '/v1/jobs', body: "{ 'client_id': 'bi-node1' }", status: 400, description: MALFORMED },
  { name: 'a JSON string as a job event', method: 'POST', path: `${P}/jobs/${JOB}/event`, body: '"start"', status: 400, description: MALFORMED },

  // ---- bytes that are not UTF-8 (contract) ----
  { name: 'a 0xFF byte in a string', method: 'POST', path: `${P}/backups`, body: bytes('{"backup_name": "', [0xff], '", "container": "c", "hostname": "h"}'), status: 400, description: NOT_UTF8(17) },
  { name: 'a truncated two-byte sequence', method: 'POST', path: `${P}/backups`, body: bytes('{"backup_name": "b', [0xc3], '", "container": "c", "hostname": "h"}'), status: 400, description: NOT_UTF8(19) },
  { name: 'an overlong encoding of "/"', method: 'POST', path: `${P}/clients`, body: bytes('{"client_id": "', [0xc0, 0xaf], '"}'), status: 400, description: NOT_UTF8(15) },
  { name: 'a surrogate encoded in UTF-8', method: 'POST', path: `${P}/sessions`, body: bytes('{"description": "', [0xed, 0xa0, 0x80], '", "schedule": {}}'), status: 400, description: NOT_UTF8(18) },
  { name: 'a five-byte sequence', method: 'POST', path: `${P}/actions`, body: bytes('{"freezer_action": {"backup_name": "', [0xf8, 0x88, 0x80, 0x80, 0x80], '"}}'), status: 400, description: NOT_UTF8(36) },
  { name: 'a 0xFE byte in a merge patch', method: 'PATCH', path: `${P}/jobs/${JOB}`, body: bytes('{"description": "', [0xfe], '"}'), headers: MERGE, status: 400, description: NOT_UTF8(17) },
  { name: 'a lone continuation byte in a search', method: 'GET', path: `${P}/backups`, body: bytes('{"match": [{"backup_name": "', [0x80], '"}]}'), status: 400, description: NOT_UTF8(28) },
  { name: 'a byte order mark before a backup', method: 'POST', path: `${P}/backups`, body: `\ufeff${json(BACKUP)}`, status: 400, description: /byte order mark|BOM/i },
  { name: 'a byte order mark before a job PATCH', method: 'PATCH', path: `${P}/jobs/${JOB}`, body: `\ufeff${json({ description: 'x' })}`, status: 400, description: /byte order mark|BOM/i },

  // ---- missing bodies ----
  { name: 'an upload without a body', method: 'POST', path: `${P}/backups`, status: 400, description: /^Missing request body$/ },
  { name: 'a job event without a body', method: 'POST', path: `${P}/jobs/${JOB}/event`, status: 400, description: /^Missing request body$/ },
  { name: 'a session action without a body', method: 'POST', path: `${P}/sessions/${SESSION}/action`, status: 400, description: /^Missing request body$/ },
  { name: 'a job PATCH without a body', method: 'PATCH', path: `${P}/jobs/${JOB}`, status: 400, description: /^Missing request body$/ },
  { name: 'a v1 session without a body', method: 'POST', path: '/v1/sessions', status: 400, description: /^Missing request body$/ },

  // ---- nesting past the limit ----
  { name: 'backup metadata 31 objects deep', method: 'POST', path: `${P}/backups`, body: `{"backup_name": "b", "container": "c", "hostname": "h", "x": ${nested(30)}}`, status: 400, description: TOO_DEEP },
  { name: 'backup metadata 31 arrays deep', method: 'POST', path: `${P}/backups`, body: `{"backup_name": "b", "container": "c", "hostname": "h", "x": ${nested(30, '[', ']')}}`, status: 400, description: TOO_DEEP },
  { name: 'arrays 100000 deep', method: 'POST', path: `${P}/backups`, body: nested(100000, '[', ']'), status: 400, description: TOO_DEEP },
  { name: 'a search 100 deep', method: 'GET', path: `${P}/jobs`, body: `{"match": [{"a": ${nested(100)}}]}`, status: 400, description: TOO_DEEP },
  { name: 'a merge patch 40 deep', method: 'PATCH', path: `${P}/jobs/${JOB}`, body: `{"job_actions": [{"freezer_action": ${nested(40)}}]}`, headers: MERGE, status: 400, description: TOO_DEEP },
  { name: 'a session action 50 deep', method: 'POST', path: `${P}/sessions/${SESSION}/action`, body: `{"end": {"job_id": "bi-job", "result": ${nested(50)}}}`, status: 400, description: TOO_DEEP },

  // ---- backups ----
  { name: 'backup: a number as backup_name', method: 'POST', path: `${P}/backups`, body: json({ ...BACKUP, backup_name: 5 }), status: 400, description: field('backup_name', 'must be string') },
  { name: 'backup: an empty backup_name', method: 'POST', path: `${P}/backups`, body: json({ ...BACKUP, backup_name: '' }), status: 400, description: field('backup_name', 'must NOT have fewer than 1 characters') },
  { name: 'backup: a backup_name of 256 characters', method: 'POST', path: `${P}/backups`, body: json({ ...BACKUP, backup_name: 'b'.repeat(256) }), status: 400, description: field('backup_name', 'must NOT have more than 255 characters') },
  { name: 'backup: a null container', method: 'POST', path: `${P}/backups`, body: json({ ...BACKUP, container: null }), status: 400, description: field('container', 'must not be null') },
  { name: 'backup: no container', method: 'POST', path: `${P}/backups`, body: json({ backup_name: 'b', hostname: 'h' }), status: 400, description: /missing required property "container"/ },
  { name: 'backup: no host name', method: 'POST', path: `${P}/backups`, body: json({ backup_name: 'b', container: 'c' }), status: 400, description: /hostname/ },
  { name: 'backup: an array as hostname', method: 'POST', path: `${P}/backups`, body: json({ ...BACKUP, hostname: [] }), status: 400, description: field('hostname', 'must be string') },
  { name: 'backup: an empty host_name', method: 'POST', path: `${P}/backups`, body: json({ backup_name: 'b', container: 'c', host_name: '' }), status: 400, description: field('host_name', 'must NOT have fewer than 1 characters') },
  { name: 'backup: a job_id of 65 characters', method: 'POST', path: `${P}/backups`, body: json({ ...BACKUP, job_id: 'j'.repeat(65) }), status: 400, description: field('job_id', 'must NOT have more than 64 characters') },
  { name: 'backup: an unknown status', method: 'POST', path: `${P}/backups`, body: json({ ...BACKUP, status: 'bogus' }), status: 400, description: field('status', 'must be one of "creating", "available"') },
  { name: 'backup: a number as status', method: 'POST', path: `${P}/backups`, body: json({ ...BACKUP, status: 1 }), status: 400, description: /body field "status"/ },
  { name: 'backup: an array as the body', method: 'POST', path: `${P}/backups`, body: '[]', status: 400, description: /^body must be object$/ },
  { name: 'backup: an empty object', method: 'POST', path: `${P}/backups`, body: '{}', status: 400, description: /missing required property "backup_name"/ },
  { name: 'v1 backup: a number as backup_name', method: 'POST', path: '/v1/backups', body: json({ ...BACKUP, backup_name: 5 }), status: 400, description: field('backup_name', 'must be string') },
  { name: 'v1 backup: no host name', method: 'POST', path: '/v1/backups', body: json({ backup_name: 'b', container: 'c' }), status: 400, description: /hostname/ },
  { name: 'backup PATCH: an empty object', method: 'PATCH', path: `${P}/backups/{backup}`, body: '{}', status: 400, description: /^body must NOT have fewer than 1 properties$/ },
  { name: 'backup PATCH: an unknown status', method: 'PATCH', path: `${P}/backups/{backup}`, body: json({ status: 'gone' }), status: 400, description: field('status', 'must be one of') },
  { name: 'backup PATCH: a string as backup_metadata', method: 'PATCH', path: `${P}/backups/{backup}`, body: json({ backup_metadata: 'x' }), status: 400, description: field('backup_metadata', 'must be object') },
  { name: 'backup PATCH: a number as backup_metadata.backup_name', method: 'PATCH', path: `${P}/backups/{backup}`, body: json({ backup_metadata: { backup_name: 1 } }), status: 400, description: field('backup_metadata.backup_name', 'must be string') },
  { name: 'backup PATCH: an empty backup_metadata.container', method: 'PATCH', path: `${P}/backups/{backup}`, body: json({ backup_metadata: { container: '' } }), status: 400, description: field('backup_metadata.container', 'must NOT have fewer than 1 characters') },
  { name: 'backup PATCH: no such backup', method: 'PATCH', path: `${P}/backups/bi-no-such-backup`, body: json({ status: 'error' }), status: 404, description: /with ID bi-no-such-backup$/ },
  { name: 'backup: a backup_id of 65 characters', method: 'GET', path: `${P}/backups/${'b'.repeat(65)}`, status: 400, description: pathParam('backup_id', 'must NOT have more than 64 characters') },
  { name: 'v1 backup delete: a backup_id of 65 characters', method: 'DELETE', path: `/v1/backups/${'b'.repeat(65)}`, status: 400, description: pathParam('backup_id', 'must NOT have more than 64 characters') },
  { name: 'v1 backup: no such backup', method: 'GET', path: '/v1/backups/bi-no-such-backup', status: 404, description: /bi-no-such-backup/ },
  { name: 'backup delete as a reader', method: 'DELETE', path: `${P}/backups/{backup}`, headers: { 'X-Roles': 'reader' }, status: 403, description: NOT_ALLOWED },

  // ---- clients ----
  { name: 'client: no client_id', method: 'POST', path: `${P}/clients`, body: json({ hostname: 'h' }), status: 400, description: /missing required property "client_id"/ },
  { name: 'client: a number as client_id', method: 'POST', path: `${P}/clients`, body: json({ client_id: 5 }), status: 400, description: field('client_id', 'must be string') },
  { name: 'client: a client_id with a space and a bang', method: 'POST', path: `${P}/clients`, body: json({ client_id: 'bad id!' }), status: 400, description: field('client_id', 'must match pattern') },
  { name: 'client: a client_id of 256 characters', method: 'POST', path: `${P}/clients`, body: json({ client_id: 'c'.repeat(256) }), status: 400, description: field('client_id', 'must NOT have more than 255 characters') },
  { name: 'client: a number as hostname', method: 'POST', path: `${P}/clients`, body: json({ client_id: 'bi-c', hostname: 7 }), status: 400, description: field('hostname', 'must be string') },
  { name: 'client: a description of 1025 characters', method: 'POST', path: `${P}/clients`, body: json({ client_id: 'bi-c', description: 'd'.repeat(1025) }), status: 400, description: field('description', 'must NOT have more than 1024 characters') },
  { name: 'client: a string as supported_actions', method: 'POST', path: `${P}/clients`, body: json({ client_id: 'bi-c', supported_actions: 'backup' }), status: 400, description: field('supported_actions', 'must be array') },
  { name: 'client: an unknown action', method: 'POST', path: `${P}/clients`, body: json({ client_id: 'bi-c', supported_actions: ['nope'] }), status: 400, description: field('supported_actions.0', 'must be one of "backup"') },
  { name: 'client: a number as a mode', method: 'POST', path: `${P}/clients`, body: json({ client_id: 'bi-c', supported_modes: [1] }), status: 400, description: /body field "supported_modes\.0"/ },
  { name: 'client: an unknown storage', method: 'POST', path: `${P}/clients`, body: json({ client_id: 'bi-c', supported_storages: ['s4'] }), status: 400, description: field('supported_storages.0', 'must be one of') },
  { name: 'client: a null engine', method: 'POST', path: `${P}/clients`, body: json({ client_id: 'bi-c', supported_engines: [null] }), status: 400, description: /body field "supported_engines\.0"/ },
  { name: 'client: a string as is_central', method: 'POST', path: `${P}/clients`, body: json({ client_id: 'bi-c', is_central: 'yes' }), status: 400, description: field('is_central', 'must be boolean') },
  { name: 'client: a uuid of 65 characters', method: 'POST', path: `${P}/clients`, body: json({ client_id: 'bi-c', uuid: 'u'.repeat(65) }), status: 400, description: field('uuid', 'must NOT have more than 64 characters') },
  { name: 'client: a central client registered by a member', method: 'POST', path: `${P}/clients`, body: json({ client_id: 'bi-central', is_central: true }), status: 403, description: NOT_ALLOWED },
  { name: 'v1 client: a client_id with a slash', method: 'POST', path: '/v1/clients', body: json({ client_id: 'a/b' }), status: 400, description: field('client_id', 'must match pattern') },
  { name: 'client: a client_id of 256 characters in the path', method: 'GET', path: `${P}/clients/${'c'.repeat(256)}`, status: 400, description: pathParam('client_id', 'must NOT have more than 255 characters') },
  { name: 'client: no such client', method: 'GET', path: `${P}/clients/bi-no-such-client`, status: 404, description: /bi-no-such-client/ },
  { name: 'v1 client: no such client', method: 'GET', path: '/v1/clients/bi-no-such-client', status: 404, description: /bi-no-such-client/ },
  { name: 'client delete as a reader', method: 'DELETE', path: `${P}/clients/${CLIENT}`, headers: { 'X-Roles': 'reader' }, status: 403, description: NOT_ALLOWED },
  { name: 'v1 client delete: a client_id of 256 characters', method: 'DELETE', path: `/v1/clients/${'c'.repeat(256)}`, status: 400, description: pathParam('client_id', 'must NOT have more than 255 characters') },

  // ---- jobs ----
  { name: 'job: no client_id', method: 'POST', path: `${P}/jobs`, body: json({ job_actions: [STEP] }), status: 400, description: /missing required property "client_id"/ },
  { name: 'job: a client_id that cannot be a host name', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, client_id: 'no such!' }), status: 400, description: field('client_id', 'must match pattern') },
  { name: 'job: a client nobody registered', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, client_id: 'bi-unregistered' }), status: 422, description: /^Client not found with ID bi-unregistered$/ },
  { name: 'job: a string as job_actions', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_actions: 'x' }), status: 400, description: field('job_actions', 'must be array') },
  { name: 'job: a number as a step', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_actions: [5] }), status: 400, description: field('job_actions.0', 'must be object') },
  { name: 'job: no steps', method: 'POST', path: `${P}/jobs`, body: json({ client_id: CLIENT }), status: 400, description: /job_actions/ },
  { name: 'job: a step without freezer_action', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_actions: [{}] }), status: 400, description: /freezer_action/ },
  { name: 'job: an unknown action', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_actions: [{ freezer_action: { action: 'bogus' } }] }), status: 400, description: field('job_actions.0.freezer_action.action', 'must be one of') },
  { name: 'job: an unknown mode', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_actions: [{ freezer_action: { mode: 'zzz' } }] }), status: 400, description: field('job_actions.0.freezer_action.mode', 'must be one of') },
  { name: 'job: an action the client does not support', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_actions: [{ freezer_action: { action: 'restore', mode: 'fs' } }] }), status: 422, description: /does not support action: restore/ },
  { name: 'job: a storage the client does not support', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_actions: [{ freezer_action: { action: 'backup', storage: 'swift' } }] }), status: 422, description: /does not support storage: swift/ },
  { name: 'job: a string as max_retries', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_actions: [{ ...STEP, max_retries: '3' }] }), status: 400, description: field('job_actions.0.max_retries', 'must be integer') },
  { name: 'job: a string as mandatory', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_actions: [{ ...STEP, mandatory: 'yes' }] }), status: 400, description: field('job_actions.0.mandatory', 'must be boolean') },
  { name: 'job: a string as job_schedule', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_schedule: 'daily' }), status: 400, description: field('job_schedule', 'must be object') },
  { name: 'job: an interval without a unit', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_schedule: { schedule_interval: 'often' } }), status: 400, description: field('job_schedule.schedule_interval', 'must match pattern') },
  { name: 'job: a date that is not ISO 8601', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_schedule: { schedule_date: 'tomorrow' } }), status: 400, description: field('job_schedule.schedule_date', 'must match pattern') },
  { name: 'job: a two-digit year', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_schedule: { schedule_year: '26' } }), status: 400, description: field('job_schedule.schedule_year', 'must match pattern') },
  { name: 'job: an unknown event', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_schedule: { event: 'go' } }), status: 400, description: field('job_schedule.event', 'must be one of') },
  { name: 'job: an unknown status', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_schedule: { status: 'done' } }), status: 400, description: field('job_schedule.status', 'must be one of') },
  { name: 'job: an unknown result', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_schedule: { result: 'ok' } }), status: 400, description: field('job_schedule.result', 'must be one of') },
  { name: 'job: an unknown schedule key', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_schedule: { schedule_century: 21 } }), status: 400, description: field('job_schedule', 'has unknown property "schedule_century"') },
  { name: 'job: an unknown top-level key', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, colour: 'red' }), status: 400, description: /^body has unknown property "colour"$/ },
  { name: 'job: a session_id with a space', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, session_id: 'bad id' }), status: 400, description: field('session_id', 'must match pattern') },
  { name: 'job: a string as session_tag', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, session_tag: 'x' }), status: 400, description: field('session_tag', 'must be integer') },
  { name: 'job: a number as description', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, description: 5 }), status: 400, description: field('description', 'must be string') },
  { name: 'job: a job_id with a slash', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_id: 'a/b' }), status: 400, description: field('job_id', 'must match pattern') },
  { name: 'job: a job_id of 65 characters', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_id: 'j'.repeat(65) }), status: 400, description: field('job_id', 'must NOT have more than 64 characters') },
  { name: "job: another project's job id", method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_id: OTHER_JOB }), status: 409, description: new RegExp(OTHER_JOB) },
  { name: 'job: an id the project already has', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, job_id: JOB }), status: 409, description: new RegExp(`already registered with ID ${JOB}`) },
  { name: 'job: a string as action_defaults', method: 'POST', path: `${P}/jobs`, body: json({ ...JOB_DOC, action_defaults: 'x' }), status: 400, description: field('action_defaults', 'must be object') },
  { name: 'job: a number as job_action', method: 'POST', path: `${P}/jobs`, body: json({ client_id: CLIENT, job_action: 5 }), status: 400, description: field('job_action', 'must be object') },
  { name: 'v1 job: an unknown top-level key', method: 'POST', path: '/v1/jobs', body: json({ ...JOB_DOC, colour: 'red' }), status: 400, description: /^body has unknown property "colour"$/ },
  { name: 'job replace: no client_id', method: 'POST', path: `${P}/jobs/${JOB}`, body: json({ job_actions: [STEP] }), status: 400, description: /missing required property "client_id"/ },
  { name: "job replace: another project's job", method: 'POST', path: `${P}/jobs/${OTHER_JOB}`, body: json(JOB_DOC), status: 409, description: new RegExp(OTHER_JOB) },
  { name: 'job replace: a stale If-Match', method: 'POST', path: `${P}/jobs/${JOB}`, body: json(JOB_DOC), headers: { 'If-Match': '"99"' }, status: 412, description: /changed since version 99/ },
  { name: 'job replace: a word as If-Match', method: 'POST', path: `${P}/jobs/${JOB}`, body: json(JOB_DOC), headers: { 'If-Match': 'abc' }, status: 400, description: ETAG },
  { name: 'job replace: a fraction as If-Match', method: 'POST', path: `${P}/jobs/${JOB}`, body: json(JOB_DOC), headers: { 'If-Match': '"1.5"' }, status: 400, description: ETAG },
  { name: 'job replace: ten digits as If-Match', method: 'POST', path: `${P}/jobs/${JOB}`, body: json(JOB_DOC), headers: { 'If-Match': '"1234567890"' }, status: 400, description: ETAG },
  { name: 'job replace: a list of ETags as If-Match', method: 'POST', path: `${P}/jobs/${JOB}`, body: json(JOB_DOC), headers: { 'If-Match': '"1", "2"' }, status: 400, description: ETAG },
  { name: 'v1 job replace: a stale If-Match', method: 'POST', path: `/v1/jobs/${JOB_V1}`, body: json(JOB_DOC), headers: { 'If-Match': '"99"' }, status: 412, description: /changed since version 99/ },
  { name: 'job PATCH: an unknown top-level key', method: 'PATCH', path: `${P}/jobs/${JOB}`, body: json({ colour: 'red' }), status: 400, description: /^body has unknown property "colour"$/ },
  { name: 'job PATCH: a string as job_schedule', method: 'PATCH', path: `${P}/jobs/${JOB}`, body: json({ job_schedule: 'x' }), status: 400, description: field('job_schedule', 'must be object') },
  { name: 'job PATCH: a client nobody registered', method: 'PATCH', path: `${P}/jobs/${JOB}`, body: json({ client_id: 'bi-unregistered' }), status: 422, description: /^Client not found with ID bi-unregistered$/ },
  { name: 'job PATCH: a number as a step', method: 'PATCH', path: `${P}/jobs/${JOB}`, body: json({ job_actions: [5] }), status: 400, description: field('job_actions.0', 'must be object') },
  { name: 'job PATCH: an array as the body', method: 'PATCH', path: `${P}/jobs/${JOB}`, body: '[]', status: 400, description: /^body must be object$/ },
  { name: 'job PATCH: a stale If-Match', method: 'PATCH', path: `${P}/jobs/${JOB}`, body: json({ description: 'x' }), headers: { 'If-Match': '"99"' }, status: 412, description: /changed since version 99/ },
  { name: 'job PATCH: no such job', method: 'PATCH', path: `${P}/jobs/bi-no-such-job`, body: json({ description: 'x' }), status: 404, description: /^No job found with ID bi-no-such-job$/ },
  { name: 'job merge patch: deleting client_id', method: 'PATCH', path: `${P}/jobs/${JOB}`, body: json({ client_id: null }), headers: MERGE, status: 400, description: field('client_id', 'must not be null') },
  { name: 'job merge patch: deleting job_schedule', method: 'PATCH', path: `${P}/jobs/${JOB}`, body: json({ job_schedule: null }), headers: MERGE, status: 400, description: field('job_schedule', 'must not be null') },
  { name: 'job merge patch: deleting session_id', method: 'PATCH', path: `${P}/jobs/${JOB}`, body: json({ session_id: null }), headers: MERGE, status: 400, description: field('session_id', 'must not be null') },
  { name: 'job merge patch: deleting session_tag', method: 'PATCH', path: `${P}/jobs/${JOB}`, body: json({ session_tag: null }), headers: MERGE, status: 400, description: field('session_tag', 'must not be null') },
  { name: 'job merge patch: deleting every step', method: 'PATCH', path: `${P}/jobs/${JOB}`, body: json({ job_actions: null }), headers: MERGE, status: 400, description: /job_actions/ },
  { name: 'job merge patch: an unknown event', method: 'PATCH', path: `${P}/jobs/${JOB}`, body: json({ job_schedule: { event: 'go' } }), headers: MERGE, status: 400, description: field('job_schedule.event', 'must be one of') },
  { name: 'job merge patch: an unknown top-level key', method: 'PATCH', path: `${P}/jobs/${JOB}`, body: json({ colour: 'red' }), headers: MERGE, status: 400, description: /^body has unknown property "colour"$/ },
  { name: 'v1 job merge patch: deleting client_id', method: 'PATCH', path: `/v1/jobs/${JOB_V1}`, body: json({ client_id: null }), headers: MERGE, status: 400, description: field('client_id', 'must not be null') },
  { name: 'job delete: a stale If-Match', method: 'DELETE', path: `${P}/jobs/${JOB}`, headers: { 'If-Match': '"99"' }, status: 412, description: /changed since version 99/ },
  { name: 'v1 job delete: a word as If-Match', method: 'DELETE', path: `/v1/jobs/${JOB_V1}`, headers: { 'If-Match': 'latest' }, status: 400, description: ETAG },
  { name: 'job delete as a reader', method: 'DELETE', path: `${P}/jobs/${JOB}`, headers: { 'X-Roles': 'reader' }, status: 403, description: NOT_ALLOWED },
  { name: 'job: no such job', method: 'GET', path: `${P}/jobs/bi-no-such-job`, status: 404, description: /^No job found with ID bi-no-such-job$/ },
  { name: "v1 job: another user's job", method: 'GET', path: `/v1/jobs/${JOB}`, status: 404, description: new RegExp(`^No job found with ID ${JOB}$`) },

  // ---- job events ----
  { name: 'event: an empty object', method: 'POST', path: `${P}/jobs/${JOB}/event`, body: '{}', status: 400, description: /^body must NOT have fewer than 1 properties$/ },
  { name: 'event: two events', method: 'POST', path: `${P}/jobs/${JOB}/event`, body: json({ start: null, stop: null }), status: 400, description: /^body must NOT have more than 1 properties$/ },
  { name: 'event: an unknown event', method: 'POST', path: `${P}/jobs/${JOB}/event`, body: json({ go: null }), status: 400, description: /^body has unknown property "go"$/ },
  { name: 'event: an array', method: 'POST', path: `${P}/jobs/${JOB}/event`, body: '[]', status: 400, description: /^body must be object$/ },
  { name: 'event: no such job', method: 'POST', path: `${P}/jobs/bi-no-such-job/event`, body: json({ start: null }), status: 404, description: /^No job found with ID bi-no-such-job$/ },
  { name: 'event: a stale If-Match', method: 'POST', path: `${P}/jobs/${JOB}/event`, body: json({ stop: null }), headers: { 'If-Match': '"99"' }, status: 412, description: /changed since version 99/ },
  { name: 'v1 event: an empty object', method: 'POST', path: `/v1/jobs/${JOB_V1}/event`, body: '{}', status: 400, description: /^body must NOT have fewer than 1 properties$/ },

  // ---- actions ----
  { name: 'action: no freezer_action', method: 'POST', path: `${P}/actions`, body: json({ max_retries: 1 }), status: 400, description: /missing required property "freezer_action"/ },
  { name: 'action: a string as freezer_action', method: 'POST', path: `${P}/actions`, body: json({ freezer_action: 'x' }), status: 400, description: field('freezer_action', 'must be object') },
  { name: 'action: an action with a space', method: 'POST', path: `${P}/actions`, body: json({ freezer_action: { action: 'a b' } }), status: 400, description: field('freezer_action.action', 'must match pattern') },
  { name: 'action: a mode with a slash', method: 'POST', path: `${P}/actions`, body: json({ freezer_action: { mode: 'a/b' } }), status: 400, description: field('freezer_action.mode', 'must match pattern') },
  { name: 'action: a string as cindernative_freezer_only', method: 'POST', path: `${P}/actions`, body: json({ freezer_action: { cindernative_freezer_only: 'yes' } }), status: 400, description: field('freezer_action.cindernative_freezer_only', 'must be boolean') },
  { name: 'action: a fraction as max_retries', method: 'POST', path: `${P}/actions`, body: json({ ...ACTION_DOC, max_retries: 1.5 }), status: 400, description: field('max_retries', 'must be integer') },
  { name: 'action: a string as max_retries_interval', method: 'POST', path: `${P}/actions`, body: json({ ...ACTION_DOC, max_retries_interval: '10' }), status: 400, description: field('max_retries_interval', 'must be integer') },
  { name: 'action: a number as mandatory', method: 'POST', path: `${P}/actions`, body: json({ ...ACTION_DOC, mandatory: 1 }), status: 400, description: field('mandatory', 'must be boolean') },
  { name: 'action: an action_id with a space', method: 'POST', path: `${P}/actions`, body: json({ ...ACTION_DOC, action_id: 'a b' }), status: 400, description: field('action_id', 'must match pattern') },
  { name: 'action: an action_id of 65 characters', method: 'POST', path: `${P}/actions`, body: json({ ...ACTION_DOC, action_id: 'a'.repeat(65) }), status: 400, description: field('action_id', 'must NOT have more than 64 characters') },
  { name: 'v1 action: no freezer_action', method: 'POST', path: '/v1/actions', body: json({ max_retries: 1 }), status: 400, description: /missing required property "freezer_action"/ },
  { name: 'action replace: no freezer_action', method: 'POST', path: `${P}/actions/${ACTION}`, body: json({ max_retries: 1 }), status: 400, description: /missing required property "freezer_action"/ },
  { name: 'v1 action replace: a stale If-Match', method: 'POST', path: `/v1/actions/${ACTION_V1}`, body: json(ACTION_DOC), headers: { 'If-Match': '"99"' }, status: 412, description: /changed since version 99/ },
  { name: 'action PATCH: a number as freezer_action', method: 'PATCH', path: `${P}/actions/${ACTION}`, body: json({ freezer_action: 5 }), status: 400, description: field('freezer_action', 'must be object') },
  { name: 'action merge patch: deleting freezer_action', method: 'PATCH', path: `${P}/actions/${ACTION}`, body: json({ freezer_action: null }), headers: MERGE, status: 400, description: field('freezer_action', 'must not be null') },
  { name: 'action merge patch: a string as mandatory', method: 'PATCH', path: `${P}/actions/${ACTION}`, body: json({ mandatory: 'yes' }), headers: MERGE, status: 400, description: field('mandatory', 'must be boolean') },
  { name: 'action PATCH: a stale If-Match', method: 'PATCH', path: `${P}/actions/${ACTION}`, body: json({ max_retries: 2 }), headers: { 'If-Match': '"99"' }, status: 412, description: /changed since version 99/ },
  { name: 'v1 action PATCH: no such action', method: 'PATCH', path: '/v1/actions/bi-no-such-action', body: json({ max_retries: 2 }), status: 404, description: /bi-no-such-action/ },
  { name: 'action delete: a stale If-Match', method: 'DELETE', path: `${P}/actions/${ACTION}`, headers: { 'If-Match': '"99"' }, status: 412, description: /changed since version 99/ },
  { name: 'v1 action delete: a negative If-Match', method: 'DELETE', path: `/v1/actions/${ACTION_V1}`, headers: { 'If-Match': '"-1"' }, status: 400, description: ETAG },
  { name: 'action: no such action', method: 'GET', path: `${P}/actions/bi-no-such-action`, status: 404, description: /bi-no-such-action/ },
  { name: 'v1 action: an id with a plus', method: 'GET', path: '/v1/actions/a+b', status: 400, description: pathParam('action_id') },

  // ---- sessions ----
  { name: 'session: no schedule', method: 'POST', path: `${P}/sessions`, body: json({ description: 'x' }), status: 400, description: /missing required property "schedule"/ },
  { name: 'session: a string as schedule', method: 'POST', path: `${P}/sessions`, body: json({ schedule: 'x' }), status: 400, description: field('schedule', 'must be object') },
  { name: 'session: a negative hold_off', method: 'POST', path: `${P}/sessions`, body: json({ ...SESSION_DOC, hold_off: -1 }), status: 400, description: field('hold_off', 'must be >= 0') },
  { name: 'session: a string as hold_off', method: 'POST', path: `${P}/sessions`, body: json({ ...SESSION_DOC, hold_off: '30' }), status: 400, description: field('hold_off', 'must be integer') },
  { name: 'session: a negative session_tag', method: 'POST', path: `${P}/sessions`, body: json({ ...SESSION_DOC, session_tag: -1 }), status: 400, description: field('session_tag', 'must be >= 0') },
  { name: 'session: a number as description', method: 'POST', path: `${P}/sessions`, body: json({ ...SESSION_DOC, description: 5 }), status: 400, description: field('description', 'must be string') },
  { name: 'session: a string as time_start', method: 'POST', path: `${P}/sessions`, body: json({ ...SESSION_DOC, time_start: 'x' }), status: 400, description: field('time_start', 'must be integer') },
  { name: 'session: a number as status', method: 'POST', path: `${P}/sessions`, body: json({ ...SESSION_DOC, status: 5 }), status: 400, description: field('status', 'must be string') },
  { name: 'session: an interval without a number', method: 'POST', path: `${P}/sessions`, body: json({ schedule: { schedule_interval: 'days' } }), status: 400, description: field('schedule.schedule_interval', 'must match pattern') },
  { name: 'session: an unknown schedule key', method: 'POST', path: `${P}/sessions`, body: json({ schedule: { schedule_when: 'now' } }), status: 400, description: field('schedule', 'has unknown property "schedule_when"') },
  { name: 'v1 session: a negative hold_off', method: 'POST', path: '/v1/sessions', body: json({ ...SESSION_DOC, hold_off: -5 }), status: 400, description: field('hold_off', 'must be >= 0') },
  { name: 'session replace: a stale If-Match', method: 'POST', path: `${P}/sessions/${SESSION}`, body: json(SESSION_DOC), headers: { 'If-Match': '"99"' }, status: 412, description: /changed since version 99/ },
  { name: 'v1 session replace: no schedule', method: 'POST', path: `/v1/sessions/${SESSION_V1}`, body: json({ description: 'x' }), status: 400, description: /missing required property "schedule"/ },
  { name: 'session merge patch: deleting schedule', method: 'PATCH', path: `${P}/sessions/${SESSION}`, body: json({ schedule: null }), headers: MERGE, status: 400, description: /schedule/ },
  { name: 'session merge patch: deleting hold_off', method: 'PATCH', path: `${P}/sessions/${SESSION}`, body: json({ hold_off: null }), headers: MERGE, status: 400, description: /hold_off/ },
  { name: 'session merge patch: deleting status', method: 'PATCH', path: `${P}/sessions/${SESSION}`, body: json({ status: null }), headers: MERGE, status: 400, description: /status/ },
  { name: 'session PATCH: a negative hold_off', method: 'PATCH', path: `${P}/sessions/${SESSION}`, body: json({ hold_off: -1 }), status: 400, description: field('hold_off', 'must be >= 0') },
  { name: 'v1 session PATCH: a stale If-Match', method: 'PATCH', path: `/v1/sessions/${SESSION_V1}`, body: json({ description: 'x' }), headers: { 'If-Match': '"99"' }, status: 412, description: /changed since version 99/ },
  { name: 'session delete: a stale If-Match', method: 'DELETE', path: `${P}/sessions/${SESSION}`, headers: { 'If-Match': '"99"' }, status: 412, description: /changed since version 99/ },
  { name: 'v1 session delete: an id of 65 characters', method: 'DELETE', path: `/v1/sessions/${'s'.repeat(65)}`, status: 400, description: pathParam('session_id', 'must NOT have more than 64 characters') },
  { name: 'session: an id with a dot', method: 'GET', path: `${P}/sessions/bi.session`, status: 400, description: pathParam('session_id') },
  { name: 'v1 session: no such session', method: 'GET', path: '/v1/sessions/bi-no-such-session', status: 404, description: /bi-no-such-session/ },

  // ---- session actions ----
  { name: 'session action: an empty object', method: 'POST', path: `${P}/sessions/${SESSION}/action`, body: '{}', status: 400, description: /^body must NOT have fewer than 1 properties$/ },
  { name: 'session action: start without a job_id', method: 'POST', path: `${P}/sessions/${SESSION}/action`, body: json({ start: { current_tag: 0 } }), status: 400, description: field('start', 'is missing required property "job_id"') },
  { name: 'session action: start without a current_tag', method: 'POST', path: `${P}/sessions/${SESSION}/action`, body: json({ start: { job_id: JOB } }), status: 400, description: field('start', 'is missing required property "current_tag"') },
  { name: 'session action: a negative current_tag', method: 'POST', path: `${P}/sessions/${SESSION}/action`, body: json({ start: { job_id: JOB, current_tag: -1 } }), status: 400, description: /body field "start\.current_tag"/ },
  { name: 'session action: a word as current_tag', method: 'POST', path: `${P}/sessions/${SESSION}/action`, body: json({ start: { job_id: JOB, current_tag: 'abc' } }), status: 400, description: /body field "start\.current_tag"/ },
  { name: 'session action: ten digits as current_tag', method: 'POST', path: `${P}/sessions/${SESSION}/action`, body: json({ start: { job_id: JOB, current_tag: '1234567890' } }), status: 400, description: /body field "start\.current_tag"/ },
  { name: 'session action: end without a result', method: 'POST', path: `${P}/sessions/${SESSION}/action`, body: json({ end: { job_id: JOB } }), status: 400, description: field('end', 'is missing required property "result"') },
  { name: 'session action: start and end at once', method: 'POST', path: `${P}/sessions/${SESSION}/action`, body: json({ start: { job_id: JOB, current_tag: 0 }, end: { job_id: JOB, result: 'success' } }), status: 400, description: /^body must NOT have more than 1 properties$/ },
  { name: 'session action: an unknown action', method: 'POST', path: `${P}/sessions/${SESSION}/action`, body: json({ begin: { job_id: JOB } }), status: 400, description: /^body has unknown property "begin"$/ },
  { name: 'session action: a job not in the session', method: 'POST', path: `${P}/sessions/${SESSION}/action`, body: json({ end: { job_id: 'bi-elsewhere', result: 'success' } }), status: 400, description: /job_id not found in session/ },
  { name: "session action: a tag ahead of the session's", method: 'POST', path: `${P}/sessions/${SESSION}/action`, body: json({ start: { job_id: JOB, current_tag: 5 } }), status: 400, description: /tag/ },
  { name: 'session action: no such session', method: 'POST', path: `${P}/sessions/bi-no-such-session/action`, body: json({ end: { job_id: JOB, result: 'success' } }), status: 404, description: /^No session found with ID bi-no-such-session$/ },
  { name: 'session action: a stale If-Match', method: 'POST', path: `${P}/sessions/${SESSION}/action`, body: json({ end: { job_id: JOB, result: 'success' } }), headers: { 'If-Match': '"99"' }, status: 412, description: /changed since version 99/ },
  { name: 'v1 session action: start without a job_id', method: 'POST', path: `/v1/sessions/${SESSION_V1}/action`, body: json({ start: { current_tag: 0 } }), status: 400, description: field('start', 'is missing required property "job_id"') },

  // ---- session membership ----
  { name: 'add to session: no such job', method: 'PUT', path: `${P}/sessions/${SESSION}/jobs/bi-no-such-job`, status: 404, description: /bi-no-such-job/ },
  { name: 'add to session: no such session', method: 'PUT', path: `${P}/sessions/bi-no-such-session/jobs/${JOB}`, status: 404, description: /^No session found with ID bi-no-such-session$/ },
  { name: 'add to session: a job id with a dot', method: 'PUT', path: `${P}/sessions/${SESSION}/jobs/a.b`, status: 400, description: pathParam('job_id') },
  { name: 'add to session: a stale If-Match', method: 'PUT', path: `${P}/sessions/${SESSION}/jobs/${JOB}`, headers: { 'If-Match': '"99"' }, status: 412, description: /changed since version 99/ },
  { name: "v1 add to session: another user's job", method: 'PUT', path: `/v1/sessions/${SESSION_V1}/jobs/${JOB}`, status: 404, description: new RegExp(JOB) },
  { name: 'remove from session: no such session', method: 'DELETE', path: `${P}/sessions/bi-no-such-session/jobs/${JOB}`, status: 404, description: /^No session found with ID bi-no-such-session$/ },
  { name: 'remove from session: a word as If-Match', method: 'DELETE', path: `${P}/sessions/${SESSION}/jobs/${JOB}`, headers: { 'If-Match': 'W/"x"' }, status: 400, description: ETAG },
  { name: 'v1 remove from session: a stale If-Match', method: 'DELETE', path: `/v1/sessions/${SESSION_V1}/jobs/${JOB_V1}`, headers: { 'If-Match': '"99"' }, status: 412, description: /changed since version 99/ },

  // ---- query strings ----
  { name: 'limit 0', method: 'GET', path: `${P}/jobs?limit=0`, status: 400, description: query('limit', 'must be >= 1') },
  { name: 'limit 1001', method: 'GET', path: `${P}/jobs?limit=1001`, status: 400, description: query('limit', 'must be <= 1000') },
  { name: 'limit -1', method: 'GET', path: `${P}/backups?limit=-1`, status: 400, description: query('limit', 'must be >= 1') },
  { name: 'limit abc', method: 'GET', path: `${P}/clients?limit=abc`, status: 400, description: query('limit', 'must be integer') },
  { name: 'limit 1.5', method: 'GET', path: `${P}/actions?limit=1.5`, status: 400, description: query('limit', 'must be integer') },
  { name: 'an empty limit', method: 'GET', path: `${P}/sessions?limit=`, status: 400, description: query('limit', 'must be integer') },
  { name: 'limit twice', method: 'GET', path: `${P}/jobs?limit=1&limit=2`, status: 400, description: query('limit', 'must be integer') },
  { name: 'limit as a list', method: 'GET', path: `${P}/jobs?limit[]=1`, status: 400, description: query('limit', 'must be integer') },
  { name: 'limit in hexadecimal', method: 'GET', path: `${P}/jobs?limit=0x10`, status: 400, description: query('limit', 'must be integer') },
  { name: 'limit in exponent notation', method: 'GET', path: `${P}/jobs?limit=1e1`, status: 400, description: query('limit', 'must be integer') },
  { name: 'offset -1', method: 'GET', path: `${P}/jobs?offset=-1`, status: 400, description: query('offset', 'must be >= 0') },
  { name: 'offset 1000000001', method: 'GET', path: `${P}/backups?offset=1000000001`, status: 400, description: query('offset', 'must be <= 1000000000') },
  { name: 'offset x', method: 'GET', path: '/v1/jobs?offset=x', status: 400, description: query('offset', 'must be integer') },
  { name: 'an empty marker', method: 'GET', path: `${P}/jobs?marker=`, status: 400, description: query('marker', 'must NOT have fewer than 1 characters') },
  { name: 'a marker of 256 characters', method: 'GET', path: `${P}/jobs?marker=${'m'.repeat(256)}`, status: 400, description: query('marker', 'must NOT have more than 255 characters') },
  { name: 'an unknown marker', method: 'GET', path: `${P}/jobs?marker=bi-no-such-job`, status: 400, description: /^marker "bi-no-such-job" is not the id of one of your items in this list$/ },
  { name: "another project's job as marker", method: 'GET', path: `${P}/jobs?marker=${OTHER_JOB}`, status: 400, description: new RegExp(`^marker "${OTHER_JOB}" is not`) },
  { name: 'a session id as a jobs marker', method: 'GET', path: `${P}/jobs?marker=${SESSION}`, status: 400, description: new RegExp(`^marker "${SESSION}" is not`) },
  { name: 'an unknown clients marker', method: 'GET', path: `${P}/clients?marker=bi-nobody`, status: 400, description: /^marker "bi-nobody" is not/ },
  { name: 'an unknown v1 backups marker', method: 'GET', path: '/v1/backups?marker=bi-nothing', status: 400, description: /^marker "bi-nothing" is not/ },
  { name: 'search that is not JSON', method: 'GET', path: `${P}/jobs?search=notjson`, status: 400, description: /Malformed JSON/ },
  { name: 'search with a number as match', method: 'GET', path: `${P}/jobs?search=${encodeURIComponent(json({ match: 5 }))}`, status: 400, description: query('search.match', 'must be array') },
  { name: 'search as an array', method: 'GET', path: `${P}/backups?search=${encodeURIComponent('[]')}`, status: 400, description: query('search', 'must be object') },
  { name: 'search with an empty pair', method: 'GET', path: `${P}/sessions?search=${encodeURIComponent(json({ match: [{}] }))}`, status: 400, description: query('search.match.0', 'must NOT have fewer than 1 properties') },
  { name: 'search with a key with a space', method: 'GET', path: `${P}/actions?search=${encodeURIComponent(json({ match: [{ 'a b': 1 }] }))}`, status: 400, description: /^search key "a b" must be letters, digits/ },
  { name: 'search with an object as a value', method: 'GET', path: `${P}/clients?search=${encodeURIComponent(json({ match: [{ a: { b: 1 } }] }))}`, status: 400, description: /^search value for "a" must be a string, number, boolean or null$/ },
  { name: 'search with an unknown key', method: 'GET', path: `${P}/jobs?search=${encodeURIComponent(json({ matches: [] }))}`, status: 400, description: /"search" has unknown property "matches"/ },
  { name: 'search with a string as time_after', method: 'GET', path: `${P}/backups?search=${encodeURIComponent(json({ time_after: 'x' }))}`, status: 400, description: query('search.time_after', 'must be integer') },
  { name: 'search body: a string as match', method: 'GET', path: `${P}/jobs`, body: json({ match: 'x' }), status: 400, description: field('match', 'must be array') },
  { name: 'search body: a number as match_not', method: 'GET', path: '/v1/jobs', body: json({ match_not: 5 }), status: 400, description: field('match_not', 'must be array') },
  { name: 'search body: a fraction as time_before', method: 'GET', path: `${P}/backups`, body: json({ time_before: 1.5 }), status: 400, description: field('time_before', 'must be integer') },
  { name: 'search body: a number as _all', method: 'GET', path: `${P}/backups`, body: json({ match: [{ _all: 5 }] }), status: 400, description: /^search "_all" must be a string$/ },
  { name: 'search body: time_after past any epoch second', method: 'GET', path: `${P}/backups`, body: json({ time_after: 1e20 }), status: 400, description: /time_after/ },
  { name: 'all_projects yes', method: 'GET', path: `${P}/jobs?all_projects=yes`, status: 400, description: query('all_projects', 'must be one of "True", "False"') },
  { name: 'an unknown query parameter', method: 'GET', path: `${P}/backups?foo=bar`, status: 400, description: /^unknown query parameter "foo"$/ },
  { name: 'a query parameter an item does not take', method: 'GET', path: `${P}/jobs/${JOB}?limit=5`, status: 400, description: /^unknown query parameter "limit"$/ },
  { name: 'v1 limit 0', method: 'GET', path: '/v1/sessions?limit=0', status: 400, description: query('limit', 'must be >= 1') },
  { name: 'v1 clients limit 2000', method: 'GET', path: '/v1/clients?limit=2000', status: 400, description: query('limit', 'must be <= 1000') },
  { name: 'v1 actions with an unknown parameter', method: 'GET', path: '/v1/actions?sort=desc', status: 400, description: /^unknown query parameter "sort"$/ },
  { name: 'v1 backups search with a number as match', method: 'GET', path: `/v1/backups?search=${encodeURIComponent(json({ match: 5 }))}`, status: 400, description: query('search.match', 'must be array') },
  { name: 'versions with a query parameter', method: 'GET', path: '/?debug=1', status: 400, description: /^unknown query parameter "debug"$/ },
  { name: 'health check with a query parameter', method: 'GET', path: '/healthcheck?deep=1', status: 400, description: /^unknown query parameter "deep"$/ },
  { name: 'v1 home document with a query parameter', method: 'GET', path: '/v1?x=1', status: 400, description: /^unknown query parameter "x"$/ },
  { name: 'v2 home document with a query parameter', method: 'GET', path: '/v2?x=1', status: 400, description: /^unknown query parameter "x"$/ },

  // ---- identity headers ----
  { name: 'an X-User-Id of 65 characters', method: 'GET', path: `${P}/jobs`, headers: { 'X-User-Id': 'u'.repeat(65) }, status: 400, description: /^header X-User-Id must be at most 64 characters$/ },
  { name: 'an X-Project-Id with a space', method: 'GET', path: '/v1/jobs', headers: { 'X-Project-Id': 'a b' }, status: 400, description: /^header X-Project-Id must be at most 64 letters/ },
  { name: 'an X-Project-Id of 65 characters', method: 'POST', path: '/v1/backups', body: json(BACKUP), headers: { 'X-Project-Id': 'p'.repeat(65) }, status: 400, description: /^header X-Project-Id must be at most 64 letters/ },
  { name: 'an X-Project-Id with a slash', method: 'GET', path: `${P}/backups`, headers: { 'X-Project-Id': 'bi/p1' }, status: 400, description: /^header X-Project-Id must be at most 64 letters/ },
  { name: 'an X-User-Name of 256 characters', method: 'POST', path: `${P}/backups`, body: json(BACKUP), headers: { 'X-User-Name': 'n'.repeat(256) }, status: 400, description: /^header X-User-Name must be at most 255 characters$/ },
  { name: 'a reader uploading a backup', method: 'POST', path: `${P}/backups`, body: json(BACKUP), headers: { 'X-Roles': 'reader' }, status: 403, description: NOT_ALLOWED },
  { name: 'a role nobody knows', method: 'GET', path: `${P}/jobs`, headers: { 'X-Roles': 'bogus' }, status: 403, description: NOT_ALLOWED },
  { name: 'no roles at all', method: 'GET', path: `${P}/sessions`, headers: { 'X-Roles': ',,,' }, status: 403, description: NOT_ALLOWED },
  { name: "a member of another project writing this one's", method: 'PATCH', path: `${P}/jobs/${JOB}`, body: json({ description: 'x' }), headers: { 'X-Project-Id': 'bi-p2' }, status: 403, description: NOT_ALLOWED },
  { name: 'a service registering a client', method: 'POST', path: `${P}/clients`, body: json({ client_id: 'bi-by-service' }), headers: { 'X-Roles': 'service', 'X-Project-Id': 'bi-services' }, status: 403, description: NOT_ALLOWED },

  // ---- ids in paths ----
  { name: 'a project id with a space', method: 'GET', path: '/v2/bi%20p1/jobs', status: 400, description: pathParam('project_id') },
  { name: 'a project id of 65 characters', method: 'GET', path: `/v2/${'p'.repeat(65)}/backups`, status: 400, description: pathParam('project_id', 'must NOT have more than 64 characters') },
  { name: 'a project id with an encoded slash', method: 'GET', path: '/v2/bi%2Fp1/clients', status: 400, description: pathParam('project_id') },
  { name: 'a project id with an accent', method: 'POST', path: '/v2/bi-p%C3%A9/sessions', body: json(SESSION_DOC), status: 400, description: pathParam('project_id') },
  { name: 'a job id with a quote', method: 'GET', path: `${P}/jobs/bi%27job`, status: 400, description: pathParam('job_id') },
  { name: 'a job id with a semicolon', method: 'DELETE', path: `${P}/jobs/bi;job`, status: 400, description: pathParam('job_id') },
  { name: 'a job id with a NUL', method: 'PATCH', path: `${P}/jobs/bi%00job`, body: json({ description: 'x' }), status: 400, description: pathParam('job_id') },
  { name: 'a job id of 65 characters', method: 'POST', path: `${P}/jobs/${'j'.repeat(65)}`, body: json(JOB_DOC), status: 400, description: pathParam('job_id', 'must NOT have more than 64 characters') },
  { name: 'a job id of two dots', method: 'GET', path: `${P}/jobs/..`, status: 400, description: pathParam('job_id') },
  { name: 'a job id of one dot', method: 'POST', path: `${P}/jobs/./event`, body: json({ start: null }), status: 400, description: pathParam('job_id') },
  { name: 'a truncated percent-encoding', method: 'GET', path: `${P}/backups/%E0%A4%A`, status: 400, description: pathParam('backup_id', 'is not valid percent-encoded UTF-8') },
  { name: 'a percent-encoding that is not hex', method: 'GET', path: '/v1/jobs/%ZZ', status: 400, description: pathParam('job_id', 'is not valid percent-encoded UTF-8') },
  { name: 'a lone surrogate, percent-encoded', method: 'GET', path: `${P}/actions/%ED%A0%80`, status: 400, description: pathParam('action_id', 'is not valid percent-encoded UTF-8') },
  { name: 'an overlong slash, percent-encoded', method: 'GET', path: `${P}/sessions/%C0%AF`, status: 400, description: pathParam('session_id', 'is not valid percent-encoded UTF-8') },
  { name: 'a v1 job id with a percent sign', method: 'GET', path: '/v1/jobs/100%25', status: 400, description: pathParam('job_id') },
  { name: 'an action id with a space', method: 'POST', path: `${P}/actions/bi%20action`, body: json(ACTION_DOC), status: 400, description: pathParam('action_id') },
  { name: 'a session id with a plus', method: 'POST', path: `${P}/sessions/bi+session`, body: json(SESSION_DOC), status: 400, description: pathParam('session_id') },
  { name: 'a session id with a colon in a PATCH', method: 'PATCH', path: `${P}/sessions/bi:session`, body: json({ description: 'x' }), status: 400, description: pathParam('session_id') },
];

/** Text that must never reach a client: SQL, database drivers' errors, stack traces. */
const LEAKS = [
  /\bselect\s/i,
  /\binsert\s/i,
  /\bupdate\s+\S+\s+set\b/i,
  /\bdelete\s+from\b/i,
  /\bER_[A-Z_]+/,
  /SQLITE/i,
  /\bknex\b/i,
  /mysql2|better-sqlite3/i,
  /\bat .*\.(ts|js):\d+/,
  /\bat [\w.<>]+ \(/,
  /node_modules/,
  /\w*Error:/,
  /ECONN\w+/,
];

type Snapshot = Record<string, unknown[]>;

/** Every row of every table (knex's own bookkeeping aside), in primary key order. */
async function snapshot(db: Knex): Promise<Snapshot> {
  const schema = await readSchema(db);
  const rows: Snapshot = {};
  for (const [table, { primaryKey, columns }] of Object.entries(schema)) {
    rows[table] = await db(table)
      .select('*')
      .orderBy(primaryKey.length ? primaryKey : columns);
  }
  return JSON.parse(JSON.stringify(rows)) as Snapshot;
}

/** The corpus's fixtures, made through the API; the backups' ids, to fill in the paths. */
async function createFixtures(server: TestServer): Promise<Record<string, string>> {
  const call = async (method: string, path: string, json: unknown, headers: Record<string, string> = MEMBER) => {
    const res = await server.request(method, path, { json, headers });
    if (res.status >= 300) throw new Error(`fixture ${method} ${path}: ${res.status} ${res.text}`);
    return res.body as Record<string, string>;
  };
  for (const prefix of [P, '/v1']) {
    const [job, action, session] = prefix === P ? [JOB, ACTION, SESSION] : [JOB_V1, ACTION_V1, SESSION_V1];
    await call('POST', `${prefix}/clients`, { client_id: CLIENT, ...CAPABILITIES });
    await call('POST', `${prefix}/jobs`, { ...JOB_DOC, job_id: job });
    await call('POST', `${prefix}/actions`, { ...ACTION_DOC, action_id: action });
    await call('POST', `${prefix}/sessions/${session}`, SESSION_DOC);
    await call('PUT', `${prefix}/sessions/${session}/jobs/${job}`, undefined);
  }
  const other = { 'X-User-Id': 'bi-bob' };
  await call('POST', '/v2/bi-p2/clients', { client_id: CLIENT }, other);
  await call('POST', '/v2/bi-p2/jobs', { ...JOB_DOC, job_id: OTHER_JOB }, other);
  return {
    backup: (await call('POST', `${P}/backups`, BACKUP)).backup_id!,
    backup_v1: (await call('POST', '/v1/backups', BACKUP)).backup_id!,
  };
}

describe.each(engineRows)('bad input on %s', (name, engine) => {
  const server = serverFor(engine);

  it('has a case for every operation of the spec, each named once and answered with a 4xx', async () => {
    const api = await specApi();
    const covered = new Set(
      CASES.map((c) => {
        try {
          return api.router.matchOperation({ method: c.method, path: c.path.split('?')[0]!, headers: {} }, true)?.operationId;
        } catch {
          return undefined;
        }
      }),
    );
    const uncovered = api.router.getOperations().flatMap((op) => (covered.has(op.operationId) ? [] : [op.operationId]));
    expect(uncovered).toEqual([]);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
    expect(CASES.filter((c) => c.status < 400 || c.status > 499).map((c) => c.name)).toEqual([]);
  });

  it(`answers each of the ${CASES.length} cases with its 4xx, saying what is wrong, leaking nothing, changing nothing`, async () => {
    console.log(`bad input ${name}: ${CASES.length} cases`);
    const backups = await createFixtures(server);
    let before = await snapshot(server.db);
    // One connection for the cases and, after each, a health check on it (a new one after a failed check).
    const keepAlive = () => new http.Agent({ keepAlive: true, maxSockets: 1 });
    let agent = keepAlive();
    try {
      await checkEach(
        CASES,
        async (c) => {
          const headers: Record<string, string> = { ...MEMBER, ...c.headers };
          if (c.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
            headers['Content-Type'] = 'application/json';
          }
          const path = c.path.replace(/\{(backup(?:_v1)?)\}/g, (_, key: string) => backups[key]!);
          const res = await server.request(c.method, path, { raw: c.body, headers, rawPath: true, agent });
          const problems: string[] = [];
          if (res.status !== c.status) problems.push(`answered ${res.status}, not ${c.status}`);
          const { title, description, ...rest } = (res.body ?? {}) as Record<string, unknown>;
          if (typeof title !== 'string' || typeof description !== 'string' || Object.keys(rest).length > 0) {
            problems.push('the body is not {title, description}');
          } else if (!c.description.test(description)) {
            problems.push(`the description does not match ${c.description}`);
          }
          const leaks = LEAKS.filter((leak) => leak.test(res.text));
          if (leaks.length) problems.push(`the answer leaks ${leaks.join(', ')}`);
          // Whatever the answer, the data must be as it was.
          const after = await snapshot(server.db);
          const changed = Object.keys(after).filter((table) => JSON.stringify(after[table]) !== JSON.stringify(before[table]));
          before = after;
          if (changed.length) problems.push(`changed table ${changed.join(', ')}`);
          const next = await probeConnection(server, agent);
          if (next !== '200') {
            const said = String(res.headers.connection);
            problems.push(`the connection then failed a health check (${next}) though the answer said Connection: ${said}`);
            agent.destroy();
            agent = keepAlive();
          }
          if (problems.length) throw new Error(`${problems.join('; ')} (answer: ${res.status} ${res.text.slice(0, 300)})`);
        },
        (c) => c.name,
      );
    } finally {
      agent.destroy();
    }
  }, 120_000);
});
