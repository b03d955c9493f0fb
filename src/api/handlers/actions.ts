// Actions, v1 and v2.
import type { Store } from '../../db/store';
import type { Services } from '../../services';
import type { Handlers } from '../types';
import { documentHandlers, documentOperations } from './documents';

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
  return documentOperations('Action', documentHandlers(store.actions, actions));
}
