// Sessions, v1 and v2.
import type Koa from 'koa';
import type { Knex } from 'knex';
import type { components } from '../../../generated/openapi';
import { sessions } from '../../db/repos/kinds';
import type { CallerOf } from '../../identity';
import { sessionNotFound, sessionService } from '../../services/sessions';
import { expectedVersion, setETag } from '../concurrency';
import { type Ctx, type Handlers, noContent, reply, replyJson } from '../types';
import { type Json, jsonList } from '../../json';
import { versionedHandlers } from './versioned';

type Session = components['schemas']['Session'];
type Written = components['schemas']['SessionWritten'];
type SessionHandlers = Pick<
  Handlers,
  | 'listSessions' | 'listSessionsV1' | 'createSession' | 'createSessionV1' | 'getSession' | 'getSessionV1'
  | 'replaceSession' | 'replaceSessionV1' | 'updateSession' | 'updateSessionV1' | 'deleteSession' | 'deleteSessionV1'
  | 'postSessionAction' | 'postSessionActionV1' | 'addSessionJob' | 'addSessionJobV1'
  | 'removeSessionJob' | 'removeSessionJobV1'
>;

export function sessionHandlers(db: Knex, callerOf: CallerOf): SessionHandlers {
  const service = sessionService(db);
  const common = versionedHandlers(db, sessions, 'session_id', sessionNotFound, service, callerOf);

  const list = async (c: Ctx<'listSessions' | 'listSessionsV1'>, ctx: Koa.Context) =>
    replyJson(ctx, 'listSessions', 200, jsonList('sessions', (await common.list(c, ctx)) as Json<Session>[]));
  const create = async (c: Ctx<'createSession' | 'createSessionV1'>, ctx: Koa.Context) => {
    const id = await service.create(common.scopeOf(c, ctx), c.request.requestBody);
    setETag(ctx, 1);
    reply(ctx, 'createSession', 201, { session_id: id });
  };
  const get = async (c: Ctx<'getSession' | 'getSessionV1'>, ctx: Koa.Context) =>
    replyJson(ctx, 'getSession', 200, (await common.get(c, ctx)) as Json<Session>);
  const replace = async (c: Ctx<'replaceSession' | 'replaceSessionV1'>, ctx: Koa.Context) =>
    reply(ctx, 'replaceSession', 201, (await common.replace(c, ctx)) as Written);
  const update = async (c: Ctx<'updateSession' | 'updateSessionV1'>, ctx: Koa.Context) =>
    reply(ctx, 'updateSession', 200, (await common.update(c, ctx)) as Written);
  const act = async (c: Ctx<'postSessionAction' | 'postSessionActionV1'>, ctx: Koa.Context) => {
    const outcome = await service.act(common.scopeOf(c, ctx), common.idOf(c), c.request.requestBody, expectedVersion(ctx));
    reply(ctx, 'postSessionAction', 202, outcome);
  };
  const addJob = async (c: Ctx<'addSessionJob' | 'addSessionJobV1'>, ctx: Koa.Context) => {
    const { session_id, job_id } = c.request.params;
    await service.addJob(common.scopeOf(c, ctx), session_id, job_id, expectedVersion(ctx));
    noContent(ctx);
  };
  const removeJob = async (c: Ctx<'removeSessionJob' | 'removeSessionJobV1'>, ctx: Koa.Context) => {
    const { session_id, job_id } = c.request.params;
    await service.removeJob(common.scopeOf(c, ctx), session_id, job_id, expectedVersion(ctx));
    noContent(ctx);
  };

  return {
    listSessions: list,
    listSessionsV1: list,
    createSession: create,
    createSessionV1: create,
    getSession: get,
    getSessionV1: get,
    replaceSession: replace,
    replaceSessionV1: replace,
    updateSession: update,
    updateSessionV1: update,
    deleteSession: (c, ctx) => common.remove(c, ctx, false),
    deleteSessionV1: (c, ctx) => common.remove(c, ctx, true),
    postSessionAction: act,
    postSessionActionV1: act,
    addSessionJob: addJob,
    addSessionJobV1: addJob,
    removeSessionJob: removeJob,
    removeSessionJobV1: removeJob,
  };
}
