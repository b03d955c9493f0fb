// Jobs, v1 and v2.
import type { components } from '../../../generated/openapi';
import type { Policy } from '../../auth/policy';
import type { Store } from '../../db/store';
import type { Services } from '../../services';
import type { Handlers, OperationRequest } from '../types';
import type { Caller } from '../../domain/caller';
import { type Json, jsonList } from '../../db/json-text';
import { notFound } from '../../errors';
import { found, pageOf, searchOf, withV1 } from './requests';
import { documentHandlers, documentOperations, targetOf } from './documents';

type JobHandlers = Pick<
  Handlers,
  | 'listJobs'
  | 'listJobsV1'
  | 'createJob'
  | 'createJobV1'
  | 'getJob'
  | 'getJobV1'
  | 'replaceJob'
  | 'replaceJobV1'
  | 'updateJob'
  | 'updateJobV1'
  | 'deleteJob'
  | 'deleteJobV1'
  | 'postJobEvent'
  | 'postJobEventV1'
>;
type JobEvent = components['schemas']['JobEvent'];

type Job = components['schemas']['Job'];

export function jobHandlers(store: Store, { jobs }: Services, policy: Policy): JobHandlers {
  /** Admin and service (by default) see every project's jobs, whatever `all_projects` says (as upstream). */
  const seesEveryProject = (caller: Caller) => policy.allows('jobs:get_all_projects', caller, caller.projectId);

  const event = async (request: OperationRequest<'postJobEvent' | 'postJobEventV1'>) => ({
    status: 202 as const,
    body: { result: await jobs.event(targetOf(request, 'job_id'), eventName(request.body)) },
  });

  /**
   * `job_schedule.current_pid` is the process of a scheduler; callers who may not see every
   * project see it only on jobs whose client their project registered (as upstream).
   */
  async function withPidsShown(caller: Caller, page: Json<Job>[]): Promise<Json<Job>[]> {
    if (!page.some((text) => text.includes('"current_pid"'))) return page; // most pages: no scheduler running
    const withPid = page.map((text) => (text.includes('"current_pid"') ? (JSON.parse(text) as Job) : undefined));
    const clientIds = [
      ...new Set(withPid.flatMap((job) => (job?.job_schedule.current_pid === undefined ? [] : [job.client_id]))),
    ];
    if (clientIds.length === 0) return page;
    const owned = await store.clients.ownedBy(caller.projectId, clientIds);
    return page.map((text, i) => {
      const job = withPid[i];
      if (!job || job.job_schedule.current_pid === undefined || owned.has(job.client_id)) return text;
      delete job.job_schedule.current_pid;
      return JSON.stringify(job);
    });
  }

  const documents = documentHandlers(store.jobs, jobs);

  /** The jobs a v2 read sees: every project's, shown whole, or the project's, pids hidden. */
  const everyProject = (caller: Caller): Caller | undefined =>
    seesEveryProject(caller) ? Object.assign({}, caller, { everyProject: true }) : undefined;

  const list = async (request: OperationRequest<'listJobs'>) => {
    const all = everyProject(request.caller);
    const page = found(await store.jobs.list(all ?? request.caller, pageOf(request), searchOf(request)), request);
    const shown = all ? page : await withPidsShown(request.caller, page);
    return { status: 200 as const, body: jsonList('jobs', shown), page: shown };
  };

  const get = async (request: OperationRequest<'getJob'>) => {
    const all = everyProject(request.caller);
    const document = await store.jobs.findWire(all ?? request.caller, request.params.job_id);
    if (!document) throw notFound(`No job found with ID ${request.params.job_id}`);
    const [json] = all ? [document.json] : await withPidsShown(request.caller, [document.json]);
    return { status: 200 as const, body: json!, etag: document.version };
  };

  return {
    ...documentOperations('Job', documents),
    // v2 as current upstream; v1 keeps its rule (the caller's own jobs).
    listJobs: list,
    getJob: get,
    // Only v2 jobs may get a Keystone trust: the central scheduler uses v2 (upstream has no v1).
    createJob: async ({ caller, body }) => ({
      status: 201 as const,
      body: { job_id: await jobs.create(caller, body, { mayTrust: true }) },
      etag: 1,
    }),
    ...withV1('postJobEvent', event),
  };
}

/** The schema admits exactly one of start, stop or abort. */
function eventName(body: JobEvent): 'start' | 'stop' | 'abort' {
  if ('start' in body) return 'start';
  if ('stop' in body) return 'stop';
  return 'abort';
}
