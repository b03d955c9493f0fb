// The complete operationId -> handler map: an operation without a handler does not compile.
import type { Store } from '../../db/store';
import type { Services } from '../../services';
import type { Handlers } from '../types';
import { actionHandlers } from './actions';
import { backupHandlers } from './backups';
import { clientHandlers } from './clients';
import { discoveryHandlers } from './discovery';
import { jobHandlers } from './jobs';
import { sessionHandlers } from './sessions';

/** Reads go from handlers to the store, writes through the services. */
export function createHandlers(store: Store, services: Services): Handlers {
  return {
    ...discoveryHandlers(store),
    ...backupHandlers(store, services),
    ...clientHandlers(store, services),
    ...jobHandlers(store, services),
    ...actionHandlers(store, services),
    ...sessionHandlers(store, services),
  };
}
