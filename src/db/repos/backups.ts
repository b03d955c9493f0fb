// Stored backup metadata: the row <-> wire mapping and every query on the backups table. Every
// method takes an optional trailing `{ trx }` (see Store.transaction).
import type { Knex } from 'knex';
import type { components } from '../../../generated/openapi';
import type { Caller, Scope } from '../../domain/caller';
import { newId } from '../ids';
import { type Json, jsonObject, membersOf, storedMember } from '../json-text';
import { type Listing, type Page, readPage } from '../paging';
import {
  INSERT_BATCH_ROWS,
  insertRow,
  lockingRead,
  ownedItem,
  run,
  scopeCondition,
  scopedDelete,
  selectFirst,
} from '../prepared';
import type { SearchTerms } from '../../domain/search';
import type { SearchTarget } from '../search';
import type { Tx } from '../store';

export type Backup = components['schemas']['Backup'];
export type BackupV1 = components['schemas']['BackupV1'];
export type BackupMetadata = components['schemas']['BackupMetadata'];
export type BackupStatus = components['schemas']['BackupStatus'];

/** How a version of the API shows a backup: v2 with its status, v1 with the uploader's name. */
export type Shape = 'v2' | 'v1';
type Shown<S extends Shape> = S extends 'v2' ? Backup : BackupV1;

interface BackupRow {
  backup_id: string;
  user_id: string;
  project_id: string;
  user_name: string | null;
  status: BackupStatus;
  backup_metadata: string;
}

const COLUMNS = ['backup_id', 'user_id', 'project_id', 'user_name', 'status', 'backup_metadata'];
const findSql = ownedItem('backups', 'backup_id', COLUMNS.join(', '));

/** Top-level document fields, then the metadata fields copied into indexed columns. */
const SEARCH: SearchTarget = {
  columns: {
    backup_id: 'backup_id',
    user_id: 'user_id',
    user_name: 'user_name',
    job_id: 'job_id',
    backup_name: 'backup_name',
    container: 'container',
    hostname: 'hostname',
    status: 'status',
  },
  document: 'backup_metadata',
  timeColumn: 'time_stamp',
};
const LISTING: Listing = { table: 'backups', idColumn: 'backup_id', columns: COLUMNS.join(', '), search: SEARCH };

export class BackupsRepo {
  constructor(private readonly db: Knex) {}

  /** Stores the metadata as posted and returns the new backup's id. */
  async insert(caller: Caller, metadata: BackupMetadata, status: BackupStatus = 'available', tx: Tx = {}): Promise<string> {
    const [backupId] = await this.insertMany(caller, [metadata], status, tx);
    return backupId!;
  }

  /** Stores many uploads in batches (one statement per batch); their new ids, in order. */
  async insertMany(
    caller: Caller,
    uploads: BackupMetadata[],
    status: BackupStatus = 'available',
    { trx }: Tx = {},
  ): Promise<string[]> {
    const q = trx ?? this.db;
    const rows = uploads.map((metadata) => ({
      backup_id: newId(),
      user_id: caller.userId,
      project_id: caller.projectId,
      user_name: caller.userName,
      status,
      ...metadataColumns(metadata),
    }));
    if (rows.length === 1) await run(q, insertRow('backups', rows[0]!));
    else await q.batchInsert('backups', rows, INSERT_BATCH_ROWS);
    return rows.map((row) => row.backup_id);
  }

  async find<S extends Shape>(scope: Scope, backupId: string, shape: S, { trx }: Tx = {}): Promise<Json<Shown<S>> | undefined> {
    const row = await selectFirst<BackupRow>(trx ?? this.db, findSql(scope, backupId));
    return row && SHOW[shape](row);
  }

  /** One page; undefined when `page.marker` names none of the scope's backups. */
  async list<S extends Shape>(
    scope: Scope,
    page: Page,
    shape: S,
    search?: SearchTerms,
    { trx }: Tx = {},
  ): Promise<Json<Shown<S>>[] | undefined> {
    const rows = await readPage<BackupRow>(trx ?? this.db, LISTING, scope, page, search);
    return rows?.map(SHOW[shape]);
  }

  /** The stored metadata and status, to change them; locked until commit inside a transaction on MySQL/MariaDB. */
  async findForUpdate(
    scope: Scope,
    backupId: string,
    { trx }: Tx = {},
  ): Promise<{ metadata: BackupMetadata; status: BackupStatus } | undefined> {
    const row = await selectFirst<BackupRow>(trx ?? this.db, lockingRead(this.db, trx, findSql(scope, backupId)));
    return row && { metadata: JSON.parse(row.backup_metadata) as BackupMetadata, status: row.status };
  }

  /** Replaces the backup's metadata and status, recording the writer as its user. */
  async update(scope: Scope, backupId: string, metadata: BackupMetadata, status: BackupStatus, { trx }: Tx = {}): Promise<void> {
    const owner = scopeCondition(scope);
    await (trx ?? this.db)('backups')
      .where('backup_id', backupId)
      .whereRaw(owner.sql, [...owner.bindings])
      .update({ user_id: scope.userId, status, ...metadataColumns(metadata) });
  }

  /** True when the scope had such a backup. */
  async remove(scope: Scope, backupId: string, { trx }: Tx = {}): Promise<boolean> {
    return (await run(trx ?? this.db, scopedDelete('backups', 'backup_id', scope, backupId))) > 0;
  }
}

/** The metadata whole, and its searched fields copied into their columns. */
function metadataColumns(metadata: BackupMetadata) {
  const time = metadata.time_stamp ?? metadata.timestamp;
  return {
    job_id: metadata.job_id ?? null,
    backup_name: metadata.backup_name,
    container: metadata.container,
    hostname: metadata.hostname ?? null,
    time_stamp: Number.isSafeInteger(time) ? (time as number) : null,
    backup_metadata: JSON.stringify(metadata),
  };
}

/** The backup as each API version shows it, with the metadata exactly as stored (and as uploaded). */
const SHOW: { [S in Shape]: (row: BackupRow) => Json<Shown<S>> } = {
  v2: (row) =>
    jsonObject<Backup>(
      membersOf({ backup_id: row.backup_id, user_id: row.user_id, project_id: row.project_id || null, status: row.status }),
      storedMember('backup_metadata', row.backup_metadata),
    ),
  v1: (row) =>
    jsonObject<BackupV1>(
      membersOf({ backup_id: row.backup_id, user_id: row.user_id, user_name: row.user_name, project_id: row.project_id || null }),
      storedMember('backup_metadata', row.backup_metadata),
    ),
};
