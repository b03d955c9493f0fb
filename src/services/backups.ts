// Backups: uploaded metadata, stored as posted.
import type { components } from '../../generated/openapi';
import type { Caller, Scope } from '../domain/caller';
import type { Store } from '../db/store';
import { badRequest } from '../errors';

type BackupMetadata = components['schemas']['BackupMetadata'];

export type BackupsService = ReturnType<typeof createBackupsService>;

export function createBackupsService({ backups }: Store) {
  return {
    /** Stores the metadata; the new backup's id. */
    create(caller: Caller, metadata: BackupMetadata): Promise<string> {
      // The spec cannot say "one of two keys" in a way generated clients understand, so it is checked here.
      if (metadata.hostname === undefined && metadata.host_name === undefined) {
        throw badRequest("backup metadata must have 'hostname' (or 'host_name')");
      }
      return backups.insert(caller, metadata);
    },

    /** True when there was such a backup. */
    remove: (scope: Scope, backupId: string): Promise<boolean> => backups.remove(scope, backupId),
  };
}
