// Versioned documents (jobs, actions, sessions): one table each, the same shape and queries.
// Every write names the version it read, so a write that lost a race changes nothing. Missing
// and duplicate documents are answers (undefined, false), never errors: services decide statuses.
import type { Knex } from 'knex';
import type { Scope } from '../../domain/caller';
import { isUniqueViolation, WriteConflict } from '../errors';
import { type Json, jsonObject, membersOf, storedMembers } from '../json-text';
import type { Tx } from '../store';
import { type Listing, type Page, readPage } from '../paging';
import { type Binding, INSERT_BATCH_ROWS, lockingRead, ownedItem, run, scopedDelete, selectFirst, type Sql } from '../prepared';
import type { SearchTerms } from '../../domain/search';
import type { SearchTarget } from '../search';

import type { Doc } from '../../domain/documents';

export type { Doc };

export interface DocumentKind<I extends string = string, L extends string = string> {
  /** Also the key of its lists: `{"jobs": [...]}`. */
  table: L;
  /** What one is called in messages: 'job', 'action', 'session'. */
  noun: string;
  /** The id's name, on the wire and as a column: `job_id`, `action_id`, `session_id`. */
  idKey: I;
  /** Copies of document fields kept in indexed columns. */
  columns(doc: Doc): Record<string, string | null>;
  search: SearchTarget;
}

export interface Stored {
  doc: Doc;
  version: number;
  /** The row's key. Never reused, unlike ids and versions: a document deleted and created again
   * under its id starts at version 1 again, in a new row. */
  seq: number;
}

/** Fields the server owns: never taken from a request body, never stored in `doc`. */
export const serverOwned = (kind: DocumentKind) => [kind.idKey, 'user_id', 'project_id', 'version', '_version'];

type ItemSql = (scope: Scope, id: string) => Sql;

interface Row {
  id: string;
  user_id: string;
  project_id: string;
  version: number;
  doc: string;
}

/**
 * One kind's documents, bound to the database. `T` is the document as the API shows it, for the
 * JSON text reads return. Every method takes an optional trailing `{ trx }` to run inside a
 * transaction (see Store.transaction).
 */
export class DocumentsRepo<T, I extends string = string, L extends string = string> {
  private readonly findSql: ItemSql;
  /** A read to show the document reads the owner columns only where the scope does not say them. */
  private readonly showSql: { byUser: ItemSql; byProject: ItemSql; anywhere: ItemSql };
  private readonly listing: Listing;

  constructor(
    private readonly db: Knex,
    readonly kind: DocumentKind<I, L>,
  ) {
    this.findSql = ownedItem(kind.table, kind.idKey, 'seq, version, doc');
    this.showSql = {
      byUser: this.findSql,
      byProject: ownedItem(kind.table, kind.idKey, 'seq, user_id, version, doc'),
      anywhere: ownedItem(kind.table, kind.idKey, 'seq, user_id, project_id, version, doc'),
    };
    const { table, idKey, search } = kind;
    this.listing = { table, idColumn: idKey, columns: `${idKey} AS id, user_id, project_id, version, doc`, search };
  }

  /** The stored document, to change it. Inside a transaction on MySQL/MariaDB the row is locked
   * until commit: writers queue, not clash. */
  async find(scope: Scope, id: string, { trx }: Tx = {}): Promise<Stored | undefined> {
    const row = await this.findRow(scope, id, trx);
    return row && { doc: JSON.parse(row.doc) as Doc, version: row.version, seq: row.seq };
  }

  /** The document as the API shows it (see `wire`), and its version for the ETag. */
  async findWire(scope: Scope, id: string, { trx }: Tx = {}): Promise<{ json: Json<T>; version: number } | undefined> {
    const read = scope.everyProject ? this.showSql.anywhere : scope.byUser ? this.showSql.byUser : this.showSql.byProject;
    const row = await selectFirst<Pick<Row, 'version' | 'doc'> & Partial<Row>>(trx ?? this.db, read(scope, id));
    return (
      row && {
        json: this.wire({
          id,
          user_id: row.user_id ?? scope.userId,
          project_id: row.project_id ?? scope.projectId,
          version: row.version,
          doc: row.doc,
        }),
        version: row.version,
      }
    );
  }

  /** One page, as the API shows it; undefined when `page.marker` names none of the owner's documents. */
  async list(scope: Scope, page: Page, search?: SearchTerms, { trx }: Tx = {}): Promise<Json<T>[] | undefined> {
    const rows = await readPage<Row>(trx ?? this.db, this.listing, scope, page, search);
    return rows?.map((row) => this.wire(row));
  }

  private async findRow(
    scope: Scope,
    id: string,
    trx?: Knex.Transaction,
  ): Promise<(Pick<Row, 'version' | 'doc'> & { seq: number }) | undefined> {
    return selectFirst(trx ?? this.db, lockingRead(this.db, trx, this.findSql(scope, id)));
  }

  /** Stores a new document at version 1; false when the id is taken (by anyone: ids are unique). */
  async insert(scope: Scope, id: string, doc: Doc, { trx }: Tx = {}): Promise<boolean> {
    try {
      await (trx ?? this.db)(this.kind.table).insert(this.newRow(scope, id, doc));
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  /** Stores many new documents at version 1, in batches (for imports and benchmarks). */
  async insertMany(scope: Scope, items: { id: string; doc: Doc }[], { trx }: Tx = {}): Promise<void> {
    await (trx ?? this.db).batchInsert(
      this.kind.table,
      items.map(({ id, doc }) => this.newRow(scope, id, doc)),
      INSERT_BATCH_ROWS,
    );
  }

  private newRow(scope: Scope, id: string, doc: Doc) {
    return {
      [this.kind.idKey]: id,
      user_id: scope.userId,
      project_id: scope.projectId,
      version: 1,
      doc: JSON.stringify(doc),
      ...this.kind.columns(doc),
    };
  }

  /** True when some document, anyone's, has this id. */
  async taken(id: string, { trx }: Tx = {}): Promise<boolean> {
    const sql = `SELECT 1 AS taken FROM ${this.kind.table} WHERE ${this.kind.idKey} = ?`;
    return (await selectFirst(trx ?? this.db, { sql, bindings: [id] })) !== undefined;
  }

  /**
   * Replaces the document `read` found: the same row (its seq, so not a document deleted and
   * created again under the same id meanwhile) at the same version, recording the writer as its
   * user. Returns the new version; throws WriteConflict when another writer got there first.
   */
  async update(scope: Scope, id: string, read: Pick<Stored, 'version' | 'seq'>, doc: Doc, { trx }: Tx = {}): Promise<number> {
    const values: Record<string, Binding> = {
      version: read.version + 1,
      user_id: scope.userId,
      doc: JSON.stringify(doc),
      ...this.kind.columns(doc),
    };
    const updated = await run(trx ?? this.db, {
      sql:
        `UPDATE ${this.kind.table} SET ${Object.keys(values)
          .map((column) => `${column} = ?`)
          .join(', ')} ` + 'WHERE seq = ? AND version = ?',
      bindings: [...Object.values(values), read.seq, read.version],
    });
    if (updated !== 1) throw new WriteConflict(`${this.kind.table} ${id} changed while being written`);
    return read.version + 1;
  }

  /** Deletes the document (only at `version`, when given); true when there was one. */
  async remove(scope: Scope, id: string, version: number | undefined, { trx }: Tx = {}): Promise<boolean> {
    return (await run(trx ?? this.db, scopedDelete(this.kind.table, this.kind.idKey, scope, id, version))) > 0;
  }

  /**
   * The document as the API shows it: id and owner first, then its fields as stored, then the
   * version. Stored documents never hold those keys (see `serverOwned`), so none repeats.
   */
  private wire(row: Row): Json<T> {
    const owner = { [this.kind.idKey]: row.id, user_id: row.user_id, project_id: row.project_id || null };
    return jsonObject<T>(membersOf(owner), storedMembers(row.doc), membersOf({ version: row.version }));
  }
}
