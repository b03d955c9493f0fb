// Sessions, v1 and v2.
import type { Store } from '../../db/store';
import type { Services } from '../../services';
import type { Handlers, OperationRequest } from '../types';
import { documentHandlers, targetOf } from './documents';

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
  const documents = documentHandlers(store.sessions, sessions);
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
    listSessions: documents.list,
    listSessionsV1: documents.list,
    createSession: documents.create,
    createSessionV1: documents.create,
    getSession: documents.get,
    getSessionV1: documents.get,
    replaceSession: documents.replace,
    replaceSessionV1: documents.replace,
    updateSession: documents.update,
    updateSessionV1: documents.update,
    deleteSession: documents.remove,
    deleteSessionV1: documents.removeOr404,
    postSessionAction: act,
    postSessionActionV1: act,
    addSessionJob: addJob,
    addSessionJobV1: addJob,
    removeSessionJob: removeJob,
    removeSessionJobV1: removeJob,
  };
}
