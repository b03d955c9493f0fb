// Jobs, v1 and v2.
import type Koa from 'koa';
import type { Knex } from 'knex';
import type { components } from '../../../generated/openapi';
import { jobs } from '../../db/repos/kinds';
import type { CallerOf } from '../../identity';
import type { JobEventName } from '../../domain/job-events';
import { jobNotFound, jobService } from '../../services/jobs';
import { expectedVersion, setETag } from '../concurrency';
import { type Ctx, type Handlers, reply, replyJson } from '../types';
import { type Json, jsonList } from '../../json';
import { versionedHandlers } from './versioned';

type Job = components['schemas']['Job'];
type JobHandlers = Pick<
  Handlers,
  | 'listJobs' | 'listJobsV1' | 'createJob' | 'createJobV1' | 'getJob' | 'getJobV1' | 'replaceJob' | 'replaceJobV1'
  | 'updateJob' | 'updateJobV1' | 'deleteJob' | 'deleteJobV1' | 'postJobEvent' | 'postJobEventV1'
>;

export function jobHandlers(db: Knex, callerOf: CallerOf): JobHandlers {
  const service = jobService(db);
  const common = versionedHandlers(db, jobs, 'job_id', jobNotFound, service, callerOf);

  const list = async (c: Ctx<'listJobs' | 'listJobsV1'>, ctx: Koa.Context) =>
    replyJson(ctx, 'listJobs', 200, jsonList('jobs', (await common.list(c, ctx)) as Json<Job>[]));
  const create = async (c: Ctx<'createJob' | 'createJobV1'>, ctx: Koa.Context) => {
    const id = await service.create(common.scopeOf(c, ctx), c.request.requestBody);
    setETag(ctx, 1);
    reply(ctx, 'createJob', 201, { job_id: id });
  };
  const get = async (c: Ctx<'getJob' | 'getJobV1'>, ctx: Koa.Context) =>
    replyJson(ctx, 'getJob', 200, (await common.get(c, ctx)) as Json<Job>);
  const replace = async (c: Ctx<'replaceJob' | 'replaceJobV1'>, ctx: Koa.Context) =>
    reply(ctx, 'replaceJob', 201, (await common.replace(c, ctx)) as { job_id: string; version: number });
  const update = async (c: Ctx<'updateJob' | 'updateJobV1'>, ctx: Koa.Context) =>
    reply(ctx, 'updateJob', 200, (await common.update(c, ctx)) as { job_id: string; version: number });
  const event = async (c: Ctx<'postJobEvent' | 'postJobEventV1'>, ctx: Koa.Context) => {
    // The schema admits exactly one of start, stop or abort.
    const name = Object.keys(c.request.requestBody)[0] as JobEventName;
    const result = await service.event(common.scopeOf(c, ctx), common.idOf(c), name, expectedVersion(ctx));
    reply(ctx, 'postJobEvent', 202, { result: result as components['schemas']['JobEventResult']['result'] });
  };

  return {
    listJobs: list,
    listJobsV1: list,
    createJob: create,
    createJobV1: create,
    getJob: get,
    getJobV1: get,
    replaceJob: replace,
    replaceJobV1: replace,
    updateJob: update,
    updateJobV1: update,
    deleteJob: (c, ctx) => common.remove(c, ctx, false),
    deleteJobV1: (c, ctx) => common.remove(c, ctx, true),
    postJobEvent: event,
    postJobEventV1: event,
  };
}
