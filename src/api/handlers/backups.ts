// Backup metadata, v1 and v2: one implementation, scoped by the caller.
import { jsonList } from '../../db/json-text';
import type { Store } from '../../db/store';
import { notFound } from '../../errors';
import type { Services } from '../../services';
import type { Handlers, OperationRequest } from '../types';
import { found, pageOf, searchOf } from './requests';

type BackupHandlers = Pick<
  Handlers,
  | 'listBackups' | 'listBackupsV1' | 'createBackup' | 'createBackupV1'
  | 'getBackup' | 'getBackupV1' | 'deleteBackup' | 'deleteBackupV1'
>;

export function backupHandlers({ backups }: Store, services: Services): BackupHandlers {
  const list = async (request: OperationRequest<'listBackups' | 'listBackupsV1'>) => {
    const page = found(await backups.list(request.caller, pageOf(request), searchOf(request)), request);
    return { status: 200 as const, body: jsonList('backups', page) };
  };

  const create = async ({ caller, body }: OperationRequest<'createBackup' | 'createBackupV1'>) => ({
    status: 201 as const,
    body: { backup_id: await services.backups.create(caller, body) },
  });

  const get = async ({ caller, params: { backup_id } }: OperationRequest<'getBackup' | 'getBackupV1'>) => {
    const backup = await backups.find(caller, backup_id);
    if (!backup) throw notFound(`No backup found with ID ${backup_id}`);
    return { status: 200 as const, body: backup };
  };

  return {
    listBackups: list,
    listBackupsV1: list,
    createBackup: create,
    createBackupV1: create,
    getBackup: get,
    getBackupV1: get,

    // v2 answers 204 whatever there was to delete, as the original and its tempest tests require.
    async deleteBackup({ caller, params }) {
      await services.backups.remove(caller, params.backup_id);
      return { status: 204 as const };
    },

    async deleteBackupV1({ caller, params: { backup_id } }) {
      if (!(await services.backups.remove(caller, backup_id))) throw notFound(`No backup found with ID ${backup_id}`);
      return { status: 204 as const };
    },
  };
}
