// Stored backup metadata: the row <-> wire mapping and every query on the backups table. Every
// method takes an optional trailing `{ trx }` (see Store.transaction).
import type { Knex } from 'knex';
import type { components } from '../../../generated/openapi';
import type { Caller, Scope } from '../../domain/caller';
import { newId } from '../ids';
import { type Json, jsonObject, membersOf, storedMember } from '../json-text';
import { type Listing, type Page, readPage } from '../paging';
import { INSERT_BATCH_ROWS, insertRow, ownedItem, run, selectFirst } from '../prepared';
import type { SearchTerms } from '../../domain/search';
import type { SearchTarget } from '../search';
import type { Tx } from '../store';

export type Backup = components['schemas']['Backup'];
export type BackupMetadata = components['schemas']['BackupMetadata'];

interface BackupRow {
  backup_id: string;
  user_id: string;
  project_id: string;
  user_name: string | null;
  backup_metadata: string;
}

const COLUMNS = ['backup_id', 'user_id', 'project_id', 'user_name', 'backup_metadata'];
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
  },
  document: 'backup_metadata',
  timeColumn: 'time_stamp',
};
const LISTING: Listing = { table: 'backups', idColumn: 'backup_id', columns: COLUMNS.join(', '), search: SEARCH };

export class BackupsRepo {
  constructor(private readonly db: Knex) {}

  /** Stores the metadata as posted and returns the new backup's id. */
  async insert(caller: Caller, metadata: BackupMetadata, tx: Tx = {}): Promise<string> {
    const [backupId] = await this.insertMany(caller, [metadata], tx);
    return backupId!;
  }

  /** Stores many uploads in batches (one statement per batch); their new ids, in order. */
  async insertMany(caller: Caller, uploads: BackupMetadata[], { trx }: Tx = {}): Promise<string[]> {
    const q = trx ?? this.db;
    const rows = uploads.map((metadata) => {
      const time = metadata.time_stamp ?? metadata.timestamp;
      return {
        backup_id: newId(),
        user_id: caller.userId,
        project_id: caller.projectId,
        user_name: caller.userName,
        job_id: metadata.job_id ?? null,
        backup_name: metadata.backup_name,
        container: metadata.container,
        hostname: metadata.hostname ?? null,
        time_stamp: Number.isSafeInteger(time) ? (time as number) : null,
        backup_metadata: JSON.stringify(metadata),
      };
    });
    if (rows.length === 1) await run(q, insertRow('backups', rows[0]!));
    else await q.batchInsert('backups', rows, INSERT_BATCH_ROWS);
    return rows.map((row) => row.backup_id);
  }

  async find(scope: Scope, backupId: string, { trx }: Tx = {}): Promise<Json<Backup> | undefined> {
    const row = await selectFirst<BackupRow>(trx ?? this.db, findSql(scope, backupId));
    return row && backupJson(row);
  }

  /** One page; undefined when `page.marker` names none of the owner's backups. */
  async list(scope: Scope, page: Page, search?: SearchTerms, { trx }: Tx = {}): Promise<Json<Backup>[] | undefined> {
    const rows = await readPage<BackupRow>(trx ?? this.db, LISTING, scope, page, search);
    return rows?.map(backupJson);
  }

  /** True when the owner had such a backup. */
  async remove(scope: Scope, backupId: string, { trx }: Tx = {}): Promise<boolean> {
    const owned = { user_id: scope.userId, project_id: scope.projectId, backup_id: backupId };
    return (await (trx ?? this.db)('backups').where(owned).delete()) > 0;
  }
}

/** The backup as the API shows it, with the metadata exactly as stored (and as uploaded). */
function backupJson(row: BackupRow): Json<Backup> {
  const owner = { backup_id: row.backup_id, user_id: row.user_id, user_name: row.user_name, project_id: row.project_id || null };
  return jsonObject<Backup>(membersOf(owner), storedMember('backup_metadata', row.backup_metadata));
}
