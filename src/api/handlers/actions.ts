// Actions, v1 and v2.
import { jsonList } from '../../db/json-text';
import type { Store } from '../../db/store';
import type { Services } from '../../services';
import type { Handlers, OperationRequest } from '../types';
import { documentHandlers } from './documents';

type ActionHandlers = Pick<
  Handlers,
  | 'listActions' | 'listActionsV1' | 'createAction' | 'createActionV1' | 'getAction' | 'getActionV1'
  | 'replaceAction' | 'replaceActionV1' | 'updateAction' | 'updateActionV1' | 'deleteAction' | 'deleteActionV1'
>;

export function actionHandlers(store: Store, { actions }: Services): ActionHandlers {
  const documents = documentHandlers({
    repo: store.actions,
    service: actions,
    idKey: 'action_id',
    listed: (items) => jsonList('actions', items),
    written: (action_id, version) => ({ action_id, version }),
  });

  const create = async ({ caller, body }: OperationRequest<'createAction' | 'createActionV1'>) => ({
    status: 201 as const,
    body: { action_id: await actions.create(caller, body) },
    etag: 1,
  });

  return {
    listActions: documents.list,
    listActionsV1: documents.list,
    createAction: create,
    createActionV1: create,
    getAction: documents.get,
    getActionV1: documents.get,
    replaceAction: documents.replace,
    replaceActionV1: documents.replace,
    updateAction: documents.update,
    updateActionV1: documents.update,
    deleteAction: documents.remove,
    deleteActionV1: documents.removeOr404,
  };
}
