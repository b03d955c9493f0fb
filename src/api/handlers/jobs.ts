// Jobs, v1 and v2.
import type { components } from '../../../generated/openapi';
import type { Store } from '../../db/store';
import type { Services } from '../../services';
import type { Handlers, OperationRequest } from '../types';
import { withV1 } from './requests';
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

export function jobHandlers(store: Store, { jobs }: Services): JobHandlers {
  const event = async (request: OperationRequest<'postJobEvent' | 'postJobEventV1'>) => ({
    status: 202 as const,
    body: { result: await jobs.event(targetOf(request, 'job_id'), eventName(request.body)) },
  });

  return {
    ...documentOperations('Job', documentHandlers(store.jobs, jobs)),
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
