// Actions, v1 and v2.
import type { Store } from '../../db/store';
import type { Services } from '../../services';
import type { Handlers } from '../types';
import { documentHandlers } from './documents';

type ActionHandlers = Pick<
  Handlers,
  | 'listActions'
  | 'listActionsV1'
  | 'createAction'
  | 'createActionV1'
  | 'getAction'
  | 'getActionV1'
  | 'replaceAction'
  | 'replaceActionV1'
  | 'updateAction'
  | 'updateActionV1'
  | 'deleteAction'
  | 'deleteActionV1'
>;

export function actionHandlers(store: Store, { actions }: Services): ActionHandlers {
  const documents = documentHandlers(store.actions, actions);

  return {
    listActions: documents.list,
    listActionsV1: documents.list,
    createAction: documents.create,
    createActionV1: documents.create,
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
