// The write steps every versioned document kind (jobs, actions, sessions) shares: each reads the
// document, checks If-Match (412) and existence (404) where it must, and writes naming the row and
// version it read, so that a write that lost a race changes nothing and starts again.
import type { Scope } from '../domain/caller';
import type { Doc } from '../domain/documents';
import type { PatchStyle } from '../domain/merge';
import { type Expected, checkExpected } from '../domain/versions';
import { WriteConflict } from '../db/errors';
import type { DocumentsRepo, Stored } from '../db/repos/documents';
import type { Store, Tx } from '../db/store';
import { lostRace } from '../db/transactions';
import { conflict, notFound } from '../errors';

/** 409 for an id another owner's document has: ids name one document in the whole service. */
export const takenElsewhere = (noun: string, id: string, scope: Scope) =>
  conflict(`${noun[0]!.toUpperCase()}${noun.slice(1)} ID ${id} is taken by another ${scope.byUser ? 'owner' : 'project'}`);

/** The document a write is about, and the version the client expects it at (If-Match). */
export interface Target {
  scope: Scope;
  id: string;
  expected: Expected;
}

/** What the handlers ask of a versioned kind's service (the kinds add their own operations). */
export interface VersionedService {
  /** Stores a new document; its id. */
  create(scope: Scope, body: Doc): Promise<string>;
  /** Create-or-replace; the new version. */
  replace(target: Target, body: Doc): Promise<number>;
  /** Change the document by the body (PATCH), in the body's style (src/domain/merge.ts); the new version. */
  update(target: Target, body: Doc, style: PatchStyle): Promise<number>;
  /** True when there was such a document. */
  remove(target: Target): Promise<boolean>;
}

export type VersionedWrites = ReturnType<typeof versionedWrites>;

export function versionedWrites<T>(store: Store, docs: DocumentsRepo<T>) {
  const noun = docs.kind.noun;

  /** The document a write starts from: 404 when there is none, 412 when If-Match is stale. */
  async function current({ scope, id, expected }: Target, tx: Tx = {}): Promise<Stored> {
    const found = await docs.find(scope, id, tx);
    if (!found) throw notFound(`No ${noun} found with ID ${id}`);
    checkExpected(noun, expected, found.version);
    return found;
  }

  return {
    current,

    /**
     * A change to one stored document (PATCH). First without a transaction: the read, then one
     * UPDATE naming the row and version read, which changes nothing if another writer got there
     * first (two round trips instead of BEGIN, SELECT … FOR UPDATE, UPDATE, COMMIT). When another
     * writer did get there first (or MariaDB chose this UPDATE as a deadlock's victim), or
     * `otherRows` gives the changed document a step that writes other rows too, it runs in a
     * transaction instead, where writers queue on the row's lock. `change` runs once per read.
     * Returns the new version.
     */
    async patch(
      target: Target,
      change: (found: Stored) => Doc,
      otherRows: (found: Stored, doc: Doc) => ((tx: Tx) => Promise<Doc>) | undefined = () => undefined,
    ): Promise<number> {
      const { scope, id } = target;
      const found = await current(target);
      const doc = change(found);
      if (!otherRows(found, doc)) {
        try {
          return await docs.update(scope, id, found, doc);
        } catch (err) {
          if (!lostRace(err)) throw err;
        }
      }
      return store.transaction(async (trx) => {
        const locked = await current(target, { trx });
        const lockedDoc = change(locked);
        const write = otherRows(locked, lockedDoc);
        return docs.update(scope, id, locked, write ? await write({ trx }) : lockedDoc, { trx });
      });
    },

    /** Create-or-replace under the target's id, building the document from what is there; the new version. */
    async replace(target: Target, build: (found: Stored | undefined) => Doc | Promise<Doc>, tx: Tx): Promise<number> {
      const { scope, id, expected } = target;
      const found = await docs.find(scope, id, tx);
      checkExpected(noun, expected, found?.version);
      if (!found && (await docs.taken(id, tx))) throw takenElsewhere(noun, id, scope);
      const doc = await build(found);
      if (found) return docs.update(scope, id, found, doc, tx);
      // Someone created it since we looked: start again, and replace theirs.
      if (!(await docs.insert(scope, id, doc, tx))) throw new WriteConflict(`${noun} ${id} appeared meanwhile`);
      return 1;
    },

    /** Deletes the document if there is one (412 when If-Match is stale); what was deleted. */
    async remove({ scope, id, expected }: Target, tx: Tx): Promise<Stored | undefined> {
      const found = await docs.find(scope, id, tx);
      if (!found) return undefined;
      checkExpected(noun, expected, found.version);
      if (!(await docs.remove(scope, id, found.version, tx))) throw new WriteConflict(`${noun} ${id} changed meanwhile`);
      return found;
    },
  };
}
