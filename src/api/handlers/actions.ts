// Actions, v1 and v2.
import type Koa from 'koa';
import type { Knex } from 'knex';
import type { components } from '../../../generated/openapi';
import { actions } from '../../db/repos/kinds';
import type { CallerOf } from '../../identity';
import { actionNotFound, actionService } from '../../services/actions';
import { setETag } from '../concurrency';
import { type Ctx, type Handlers, reply, replyJson } from '../types';
import { type Json, jsonList } from '../../json';
import { versionedHandlers } from './versioned';

type Action = components['schemas']['Action'];
type Written = components['schemas']['ActionWritten'];
type ActionHandlers = Pick<
  Handlers,
  | 'listActions' | 'listActionsV1' | 'createAction' | 'createActionV1' | 'getAction' | 'getActionV1'
  | 'replaceAction' | 'replaceActionV1' | 'updateAction' | 'updateActionV1' | 'deleteAction' | 'deleteActionV1'
>;

export function actionHandlers(db: Knex, callerOf: CallerOf): ActionHandlers {
  const service = actionService(db);
  const common = versionedHandlers(db, actions, 'action_id', actionNotFound, service, callerOf);

  const list = async (c: Ctx<'listActions' | 'listActionsV1'>, ctx: Koa.Context) =>
    replyJson(ctx, 'listActions', 200, jsonList('actions', (await common.list(c, ctx)) as Json<Action>[]));
  const create = async (c: Ctx<'createAction' | 'createActionV1'>, ctx: Koa.Context) => {
    const { id } = await service.create(common.scopeOf(c, ctx), c.request.requestBody);
    setETag(ctx, 1);
    reply(ctx, 'createAction', 201, { action_id: id });
  };
  const get = async (c: Ctx<'getAction' | 'getActionV1'>, ctx: Koa.Context) =>
    replyJson(ctx, 'getAction', 200, (await common.get(c, ctx)) as Json<Action>);
  const replace = async (c: Ctx<'replaceAction' | 'replaceActionV1'>, ctx: Koa.Context) =>
    reply(ctx, 'replaceAction', 201, (await common.replace(c, ctx)) as Written);
  const update = async (c: Ctx<'updateAction' | 'updateActionV1'>, ctx: Koa.Context) =>
    reply(ctx, 'updateAction', 200, (await common.update(c, ctx)) as Written);

  return {
    listActions: list,
    listActionsV1: list,
    createAction: create,
    createActionV1: create,
    getAction: get,
    getActionV1: get,
    replaceAction: replace,
    replaceActionV1: replace,
    updateAction: update,
    updateActionV1: update,
    deleteAction: (c, ctx) => common.remove(c, ctx, false),
    deleteActionV1: (c, ctx) => common.remove(c, ctx, true),
  };
}
