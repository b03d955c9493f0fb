// Sessions, v1 and v2.
import type { Store } from '../../db/store';
import type { Services } from '../../services';
import type { Handlers, OperationRequest } from '../types';
import { withV1 } from './requests';
import { documentHandlers, documentOperations, targetOf } from './documents';

type SessionHandlers = Pick<
  Handlers,
  | 'listSessions'
  | 'listSessionsV1'
  | 'createSession'
  | 'createSessionV1'
  | 'getSession'
  | 'getSessionV1'
  | 'replaceSession'
  | 'replaceSessionV1'
  | 'updateSession'
  | 'updateSessionV1'
  | 'deleteSession'
  | 'deleteSessionV1'
  | 'postSessionAction'
  | 'postSessionActionV1'
  | 'addSessionJob'
  | 'addSessionJobV1'
  | 'removeSessionJob'
  | 'removeSessionJobV1'
>;

export function sessionHandlers(store: Store, { sessions }: Services): SessionHandlers {
  const act = async (request: OperationRequest<'postSessionAction' | 'postSessionActionV1'>) => ({
    status: 202 as const,
    body: await sessions.act(targetOf(request, 'session_id'), request.body),
  });
  const addJob = async (request: OperationRequest<'addSessionJob' | 'addSessionJobV1'>) => {
    await sessions.addJob(targetOf(request, 'session_id'), request.params.job_id);
    return { status: 204 as const };
  };
  const removeJob = async (request: OperationRequest<'removeSessionJob' | 'removeSessionJobV1'>) => {
    await sessions.removeJob(targetOf(request, 'session_id'), request.params.job_id);
    return { status: 204 as const };
  };

  return {
    ...documentOperations('Session', documentHandlers(store.sessions, sessions)),
    ...withV1('postSessionAction', act),
    ...withV1('addSessionJob', addJob),
    ...withV1('removeSessionJob', removeJob),
  };
}
