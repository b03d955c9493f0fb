// Backup metadata, v1 and v2: one implementation, scoped by the caller.
import type Koa from 'koa';
import type { BackupsRepo } from '../../db/repos/backups';
import { badRequest, notFound } from '../../errors';
import type { CallerOf } from '../../identity';
import { type Ctx, type Handlers, noContent, reply, replyJson } from '../types';
import { jsonList } from '../../json';
import { combineSearches } from '../../db/search';
import { callerFor, pageOf, searchParam } from './common';

type BackupHandlers = Pick<
  Handlers,
  | 'listBackups' | 'listBackupsV1' | 'createBackup' | 'createBackupV1'
  | 'getBackup' | 'getBackupV1' | 'deleteBackup' | 'deleteBackupV1'
>;

export function backupHandlers(backups: BackupsRepo, callerOf: CallerOf): BackupHandlers {
  async function list(c: Ctx<'listBackups' | 'listBackupsV1'>, ctx: Koa.Context) {
    const found = await backups.list(callerFor(callerOf, c, ctx), pageOf(c), combineSearches(c.request.requestBody, searchParam(c)));
    replyJson(ctx, 'listBackups', 200, jsonList('backups', found));
  }

  async function create(c: Ctx<'createBackup' | 'createBackupV1'>, ctx: Koa.Context) {
    const metadata = c.request.requestBody;
    // The spec cannot say "one of two keys" in a way generated clients understand, so it is checked here.
    if (metadata.hostname === undefined && metadata.host_name === undefined) {
      throw badRequest("backup metadata must have 'hostname' (or 'host_name')");
    }
    const backupId = await backups.insert(callerFor(callerOf, c, ctx), metadata);
    reply(ctx, 'createBackup', 201, { backup_id: backupId });
  }

  async function get(c: Ctx<'getBackup' | 'getBackupV1'>, ctx: Koa.Context) {
    const { backup_id } = c.request.params;
    const backup = await backups.find(callerFor(callerOf, c, ctx), backup_id);
    if (!backup) throw notFound(`No backup found with ID ${backup_id}`);
    replyJson(ctx, 'getBackup', 200, backup);
  }

  return {
    listBackups: list,
    listBackupsV1: list,
    createBackup: create,
    createBackupV1: create,
    getBackup: get,
    getBackupV1: get,

    // v2 answers 204 whatever there was to delete, as the original and its tempest tests require.
    async deleteBackup(c, ctx) {
      await backups.remove(callerFor(callerOf, c, ctx), c.request.params.backup_id);
      noContent(ctx);
    },

    async deleteBackupV1(c, ctx) {
      const { backup_id } = c.request.params;
      if (!(await backups.remove(callerFor(callerOf, c, ctx), backup_id))) {
        throw notFound(`No backup found with ID ${backup_id}`);
      }
      noContent(ctx);
    },
  };
}
