// v1 is the deprecated twin of v2: every /v1 operation is its /v2/{project_id} twin (the same
// operationId without `V1`) without the project in the URL, deprecated, and different only where
// DELIBERATE says so. Handlers serve each pair with one implementation (src/api/handlers/), so a
// difference the spec does not mean is a documentation bug.
import type { Operation } from 'openapi-backend';
import { specApi } from '../helpers/spec';

/** Texts of the operation itself: they differ between the twins by nature ("(v1)", deprecation). */
const TEXT_KEYS = new Set(['operationId', 'summary', 'description', 'deprecated', 'externalDocs']);

/** v1 operations that have no v2 twin, each with the reason (none today). */
const V1_ONLY: Record<string, string> = {};

interface Deliberate {
  /** The v1 operations it applies to; '*' is every v1 operation where either twin has `at`. */
  ops: string[] | '*';
  /** Where, as a dotted path into the compared operation: every mismatch under it is expected. */
  at: string;
  why: string;
}

const V1_DELETES = ['deleteBackupV1', 'deleteClientV1', 'deleteJobV1', 'deleteActionV1', 'deleteSessionV1'];

/**
 * The differences that are meant. Each one must still be a difference in every operation it
 * applies to, so an entry that no longer matches anything fails too.
 */
const DELIBERATE: Deliberate[] = [
  {
    ops: V1_DELETES,
    at: 'responses.404',
    why: 'v1 DELETE answers 404 when the caller had nothing to delete; v2 answers 204 either way, as the originals do',
  },
  {
    ops: V1_DELETES,
    at: 'responses.204',
    why: 'so v1 204 means "deleted", while v2 204 also means "there was nothing to delete"',
  },
  {
    ops: ['createJobV1'],
    at: 'responses.422',
    why: 'only v2 jobs get Keystone trusts (the central scheduler uses v2), so only v2 answers 422 Missing required credentials',
  },
  {
    ops: ['getHomeDocumentV1'],
    at: 'responses.200',
    why: 'the v1 home document points at the /v1 URLs',
  },
  {
    ops: ['listBackupsV1', 'getBackupV1'],
    at: 'responses.200',
    why: "v1 shows a backup as the customer's document does (with user_name); v2 as current upstream (status, no user_name)",
  },
  {
    ops: ['createBackupV1'],
    at: 'requestBody',
    why: "a v2 upload may carry the backup's status; v1 keeps every key as metadata",
  },
];

/** Phrases that speak of a project named by the URL, which v1 does not have. */
const URL_PROJECT = /\bthis project\b|\bURL(?:'s)? (?:project|names)\b|\bproject (?:in|of|named (?:in|by)) the URL\b/i;

type Json = unknown;

/** The v1 path of a v2 operation's path: the project segment goes. */
const asV1Path = (v2Path: string) => v2Path.replace(/^\/v2\/\{project_id\}(?=\/|$)/, '/v1').replace(/^\/v2(?=\/|$)/, '/v1');

/**
 * What is compared of an operation: everything but its own texts (method, path, parameters,
 * request body, every response with its description, headers, media types, schemas and examples,
 * tags, security), with the parameters keyed by place and name (order means nothing), the v2
 * `project_id` path parameter left out and the v2 path written as its v1 twin's.
 */
function comparable(op: Operation, version: 'v1' | 'v2'): Record<string, Json> {
  const result: Record<string, Json> = {};
  for (const [key, value] of Object.entries(op)) {
    if (TEXT_KEYS.has(key) || key === 'parameters') continue;
    result[key] = key === 'path' && version === 'v2' ? asV1Path(value as string) : value;
  }
  const parameters: Record<string, Json> = {};
  for (const p of (op.parameters ?? []) as { name: string; in: string }[]) {
    if (version === 'v2' && p.in === 'path' && p.name === 'project_id') continue;
    parameters[`${p.in} ${p.name}`] = p;
  }
  result.parameters = parameters;
  return result;
}

interface Mismatch {
  at: string;
  text: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 70 ? `${s.slice(0, 67)}...` : s;
};

/** Every place where v1 and v2 differ (deepest differing keys; arrays as a whole). */
function differences(v1: unknown, v2: unknown, at: string[] = [], out: Mismatch[] = []): Mismatch[] {
  if (v1 === v2) return out; // the dereferenced spec shares one object per $ref target
  const where = at.join('.');
  if (isObject(v1) && isObject(v2)) {
    for (const key of new Set([...Object.keys(v1), ...Object.keys(v2)])) {
      if (!(key in v2)) out.push({ at: [...at, key].join('.'), text: `only in v1: ${show(v1[key])}` });
      else if (!(key in v1)) out.push({ at: [...at, key].join('.'), text: `only in v2: ${show(v2[key])}` });
      else differences(v1[key], v2[key], [...at, key], out);
    }
  } else if (Array.isArray(v1) && Array.isArray(v2) && v1.length === v2.length) {
    v1.forEach((item, i) => differences(item, v2[i], [...at, String(i)], out));
  } else {
    out.push({ at: where, text: `v1 ${show(v1)}, v2 ${show(v2)}` });
  }
  return out;
}

const under = (at: string, prefix: string) => at === prefix || at.startsWith(`${prefix}.`);

function has(value: unknown, dotted: string): boolean {
  let v: unknown = value;
  for (const key of dotted.split('.')) {
    if (!isObject(v) || !(key in v)) return false;
    v = v[key];
  }
  return true;
}

async function operations() {
  const all = (await specApi()).getOperations();
  const byId = new Map(all.map((o) => [o.operationId!, o]));
  const v1 = all.filter((o) => o.path === '/v1' || o.path.startsWith('/v1/'));
  return { byId, v1 };
}

const twinId = (v1Id: string) => v1Id.replace(/V1$/, '');

describe('v1 operations', () => {
  it('each equal their v2 twin without the project, except for the deliberate differences', async () => {
    const { byId, v1 } = await operations();
    const problems: string[] = [];
    const expectedHits = new Map<Deliberate, Map<string, number>>(DELIBERATE.map((d) => [d, new Map()]));

    for (const name of Object.keys(V1_ONLY)) {
      const op = byId.get(name);
      if (!op || !v1.includes(op)) problems.push(`V1_ONLY names ${name}, which is not a v1 operation`);
      else if (byId.has(twinId(name))) problems.push(`V1_ONLY names ${name}, but ${twinId(name)} exists: compare them instead`);
    }
    for (const d of DELIBERATE) {
      for (const name of d.ops === '*' ? [] : d.ops) {
        if (!v1.some((o) => o.operationId === name))
          problems.push(`DELIBERATE ${d.at} names ${name}, which is not a v1 operation`);
      }
    }

    for (const op of v1) {
      const id = op.operationId!;
      if (!id.endsWith('V1')) {
        problems.push(`${op.method.toUpperCase()} ${op.path}: a v1 operationId ends in V1, not ${id}`);
        continue;
      }
      if (id in V1_ONLY) continue;
      const twin = byId.get(twinId(id));
      if (!twin) {
        problems.push(`${id}: no v2 twin ${twinId(id)} (add one, or list ${id} in V1_ONLY with the reason)`);
        continue;
      }
      const a = comparable(op, 'v1');
      const b = comparable(twin, 'v2');
      const applying = DELIBERATE.filter((d) => (d.ops === '*' ? has(a, d.at) || has(b, d.at) : d.ops.includes(id)));
      for (const d of applying) expectedHits.get(d)!.set(id, 0);
      for (const m of differences(a, b)) {
        const meant = applying.find((d) => under(m.at, d.at));
        if (meant) expectedHits.get(meant)!.set(id, expectedHits.get(meant)!.get(id)! + 1);
        else problems.push(`${id} vs ${twin.operationId}: ${m.at}: ${m.text}`);
      }
    }

    for (const [d, hits] of expectedHits) {
      if (hits.size === 0) problems.push(`DELIBERATE ${d.at} (${d.why}) applies to no operation: remove it`);
      for (const [id, count] of hits) {
        if (count === 0) problems.push(`DELIBERATE ${d.at} for ${id} is not a difference any more: take ${id} out of it`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('are deprecated (their twins are not), as version discovery says v1 is', async () => {
    const { byId, v1 } = await operations();
    const problems: string[] = [];
    for (const op of v1) {
      if (op.deprecated !== true) problems.push(`${op.operationId} is not deprecated: true`);
      const twin = byId.get(twinId(op.operationId!));
      if (twin?.deprecated) problems.push(`${twin.operationId} (v2) is deprecated`);
    }
    expect(problems).toEqual([]);
  });

  it('say nothing about a project in the URL, which v1 does not have', async () => {
    const { v1 } = await operations();
    const problems: string[] = [];
    for (const op of v1) {
      const texts: [string, unknown][] = [
        ['summary', op.summary],
        ['description', op.description],
        ['requestBody', (op.requestBody as { description?: string } | undefined)?.description],
        ...((op.parameters ?? []) as { name: string; description?: string }[]).map((p): [string, unknown] => [
          `parameter ${p.name}`,
          p.description,
        ]),
        ...Object.entries(op.responses ?? {}).map(([status, r]): [string, unknown] => [
          `${status}`,
          (r as { description?: string }).description,
        ]),
      ];
      for (const [where, text] of texts) {
        const found = typeof text === 'string' ? URL_PROJECT.exec(text.replace(/\s+/g, ' ')) : null;
        if (found) problems.push(`${op.operationId} ${where}: "${found[0]}"`);
      }
    }
    expect(problems).toEqual([]);
  });
});
