// Backups: uploaded metadata, stored as posted, and the status a backup is in.
import type { components } from '../../generated/openapi';
import type { Caller, Scope } from '../domain/caller';
import type { Store } from '../db/store';
import { badRequest, notFound } from '../errors';

type BackupUpload = components['schemas']['BackupUpload'];
type BackupMetadata = components['schemas']['BackupMetadata'];
type BackupPatch = components['schemas']['BackupPatch'];

/** Keys the server owns: a PATCH's metadata never sets them. */
const OWNED = ['backup_id', 'user_id', 'project_id'];

export type BackupsService = ReturnType<typeof createBackupsService>;

export function createBackupsService(store: Store) {
  const { backups } = store;
  return {
    /**
     * Stores the metadata; the new backup's id. `withStatus` (v2): a top-level `status` is the
     * backup's, not metadata; v1 keeps every key as metadata.
     */
    create(caller: Caller, upload: BackupUpload, withStatus: boolean): Promise<string> {
      // The spec cannot say "one of two keys" in a way generated clients understand, so it is checked here.
      if (upload.hostname === undefined && upload.host_name === undefined) {
        throw badRequest("backup metadata must have 'hostname' (or 'host_name')");
      }
      if (!withStatus || upload.status === undefined) return backups.insert(caller, upload);
      const { status, ...metadata } = upload;
      return backups.insert(caller, metadata, status);
    },

    /** Sets the status and merges metadata keys (PATCH); 404 when the scope has no such backup. */
    update(scope: Scope, backupId: string, patch: BackupPatch): Promise<void> {
      return store.transaction(async (trx) => {
        const stored = await backups.findForUpdate(scope, backupId, { trx });
        if (!stored) throw notFound(`Backup not registered with ID ${backupId}`);
        const changes = Object.entries(patch.backup_metadata ?? {}).filter(([key]) => !OWNED.includes(key));
        const metadata: BackupMetadata = Object.assign(stored.metadata, Object.fromEntries(changes));
        await backups.update(scope, backupId, metadata, patch.status ?? stored.status, { trx });
      });
    },

    /** True when there was such a backup. */
    remove: (scope: Scope, backupId: string): Promise<boolean> => backups.remove(scope, backupId),
  };
}
