// Backup metadata, v1 and v2: one implementation, scoped by the caller.
import { jsonList } from '../../db/json-text';
import { checkTimeBounds } from '../../domain/search';
import type { Store } from '../../db/store';
import type { Services } from '../../services';
import type { Handlers, OperationRequest } from '../types';
import { found, itemOperations, pageOf, searchOf, withV1 } from './requests';

type BackupHandlers = Pick<
  Handlers,
  | 'listBackups'
  | 'listBackupsV1'
  | 'createBackup'
  | 'createBackupV1'
  | 'getBackup'
  | 'getBackupV1'
  | 'deleteBackup'
  | 'deleteBackupV1'
>;

export function backupHandlers({ backups }: Store, services: Services): BackupHandlers {
  const list = async (request: OperationRequest<'listBackups' | 'listBackupsV1'>) => {
    const search = searchOf(request);
    checkTimeBounds(search); // backups keep a time stamp: their searches may bound it
    const page = found(await backups.list(request.caller, pageOf(request), search), request);
    return { status: 200 as const, body: jsonList('backups', page) };
  };

  const create = async ({ caller, body }: OperationRequest<'createBackup' | 'createBackupV1'>) => ({
    status: 201 as const,
    body: { backup_id: await services.backups.create(caller, body) },
  });

  return {
    ...withV1('listBackups', list),
    ...withV1('createBackup', create),
    ...itemOperations('Backup', 'backup_id', backups, services.backups),
  };
}
