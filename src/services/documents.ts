// Small pieces the job, action and session services share.
import { isDeepStrictEqual } from 'node:util';
import type { Knex } from 'knex';
import { type Doc, type Documents, type Stored, WriteConflict } from '../db/repos/documents';
import { inTransaction, lostRace } from '../db/transactions';
import { notFound } from '../errors';
import type { Scope } from '../identity';
import { type Expected, checkExpected } from '../api/concurrency';

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The body without the fields the server owns. */
export function withoutKeys(body: object, keys: string[]): Doc {
  const doc: Doc = { ...(body as Doc) };
  for (const key of keys) delete doc[key];
  return doc;
}

/** Same JSON value, whatever the key order (what "unchanged" means for stored documents). */
export const sameJson = (a: unknown, b: unknown) => isDeepStrictEqual(canonical(a), canonical(b));

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/** The document a write starts from: 404 when there is none, 412 when If-Match is stale. */
export async function existing(trx: Knex, docs: Documents, scope: Scope, id: string, expected: Expected): Promise<Stored> {
  const current = await docs.find(trx, scope, id);
  if (!current) throw notFound(`No ${docs.kind.noun} found with ID ${id}`);
  checkExpected(docs.kind.noun, expected, current.version);
  return current;
}

/**
 * A change to one stored document (PATCH). First without a transaction: the read, then one
 * UPDATE naming the row and version read, which changes nothing if another writer got there
 * first (two round trips instead of BEGIN, SELECT … FOR UPDATE, UPDATE, COMMIT). When another
 * writer did get there first (or MariaDB chose this UPDATE as a deadlock's victim), or
 * `onlyThisRow` says the change writes other rows too, it runs in a transaction instead, where
 * writers queue on the row's lock. Returns the new version.
 */
export async function patch(
  db: Knex, docs: Documents, scope: Scope, id: string, expected: Expected,
  change: (q: Knex, current: Stored) => Doc | Promise<Doc>,
  onlyThisRow: (current: Stored) => boolean = () => true,
): Promise<number> {
  const current = await existing(db, docs, scope, id, expected);
  if (onlyThisRow(current)) {
    try {
      return await docs.update(db, scope, id, current, await change(db, current));
    } catch (err) {
      if (!lostRace(err)) throw err;
    }
  }
  return inTransaction(db, async (trx) => {
    const locked = await existing(trx, docs, scope, id, expected);
    return docs.update(trx, scope, id, locked, await change(trx, locked));
  });
}

/** Create-or-replace under `id`, building the document from what is there; the new version. */
export async function put(
  trx: Knex, docs: Documents, scope: Scope, id: string, expected: Expected,
  build: (current: Stored | undefined) => Doc | Promise<Doc>,
): Promise<number> {
  const current = await docs.find(trx, scope, id);
  checkExpected(docs.kind.noun, expected, current?.version);
  const doc = await build(current);
  if (current) return docs.update(trx, scope, id, current, doc);
  // Someone created it since we looked: start again, and replace theirs.
  if (!(await docs.insert(trx, scope, id, doc))) throw new WriteConflict(`${docs.kind.noun} ${id} appeared meanwhile`);
  return 1;
}

/** Deletes the document if there is one (412 when If-Match is stale); what was deleted. */
export async function removeIfPresent(trx: Knex, docs: Documents, scope: Scope, id: string, expected: Expected): Promise<Stored | undefined> {
  const current = await docs.find(trx, scope, id);
  if (!current) return undefined;
  checkExpected(docs.kind.noun, expected, current.version);
  if (!(await docs.remove(trx, scope, id, current.version))) throw new WriteConflict(`${docs.kind.noun} ${id} changed meanwhile`);
  return current;
}
