// Jobs, v1 and v2.
import type { components } from '../../../generated/openapi';
import type { Store } from '../../db/store';
import type { Services } from '../../services';
import type { Handlers, OperationRequest } from '../types';
import { documentHandlers, targetOf } from './documents';

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
  const documents = documentHandlers(store.jobs, jobs);

  const event = async (request: OperationRequest<'postJobEvent' | 'postJobEventV1'>) => ({
    status: 202 as const,
    body: { result: await jobs.event(targetOf(request, 'job_id'), eventName(request.body)) },
  });

  return {
    listJobs: documents.list,
    listJobsV1: documents.list,
    createJob: documents.create,
    createJobV1: documents.create,
    getJob: documents.get,
    getJobV1: documents.get,
    replaceJob: documents.replace,
    replaceJobV1: documents.replace,
    updateJob: documents.update,
    updateJobV1: documents.update,
    deleteJob: documents.remove,
    deleteJobV1: documents.removeOr404,
    postJobEvent: event,
    postJobEventV1: event,
  };
}

/** The schema admits exactly one of start, stop or abort. */
function eventName(body: JobEvent): 'start' | 'stop' | 'abort' {
  if ('start' in body) return 'start';
  if ('stop' in body) return 'stop';
  return 'abort';
}
