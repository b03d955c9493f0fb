// Backup metadata, v1 and v2: one implementation, scoped by the caller; each version shows a
// backup its own way (v2 with its status, v1 with the uploader's name).
import { jsonList } from '../../db/json-text';
import { checkTimeBounds } from '../../domain/search';
import type { Store } from '../../db/store';
import type { Services } from '../../services';
import type { Handlers, OperationRequest } from '../types';
import type { Shape } from '../../db/repos/backups';
import { notFound } from '../../errors';
import { deleteHandlers, found, getHandler, pageOf, searchOf, withV1 } from './requests';

type BackupHandlers = Pick<
  Handlers,
  | 'listBackups'
  | 'listBackupsV1'
  | 'createBackup'
  | 'createBackupV1'
  | 'getBackup'
  | 'getBackupV1'
  | 'updateBackup'
  | 'deleteBackup'
  | 'deleteBackupV1'
>;

export function backupHandlers({ backups }: Store, services: Services): BackupHandlers {
  const lister =
    <S extends Shape>(shape: S) =>
    async (request: OperationRequest<'listBackups' | 'listBackupsV1'>) => {
      const search = searchOf(request);
      checkTimeBounds(search); // backups keep a time stamp: their searches may bound it
      const page = found(await backups.list(request.caller, pageOf(request), shape, search), request);
      return { status: 200 as const, body: jsonList('backups', page), page };
    };

  const creator =
    (withStatus: boolean) =>
    async ({ caller, body }: OperationRequest<'createBackup' | 'createBackupV1'>) => ({
      status: 201 as const,
      body: { backup_id: await services.backups.create(caller, body, withStatus) },
    });

  const [deleteV2, deleteV1] = deleteHandlers('backup', 'backup_id', ({ caller, params }) =>
    services.backups.remove(caller, params.backup_id),
  );

  return {
    ...withV1('listBackups', lister('v2'), lister('v1')),
    ...withV1('createBackup', creator(true), creator(false)),
    ...withV1(
      'getBackup',
      getHandler('backup', 'backup_id', (caller, id) => backups.find(caller, id, 'v2')),
      getHandler('backup', 'backup_id', (caller, id) => backups.find(caller, id, 'v1')),
    ),
    async updateBackup({ caller, params, body }) {
      await services.backups.update(caller, params.backup_id, body);
      const backup = await backups.find(caller, params.backup_id, 'v2');
      if (!backup) throw notFound(`Backup not registered with ID ${params.backup_id}`); // deleted meanwhile
      return { status: 200 as const, body: backup };
    },
    ...withV1('deleteBackup', deleteV2, deleteV1),
  };
}
