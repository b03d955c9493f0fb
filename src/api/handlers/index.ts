// The complete operationId -> handler map: an operation without a handler does not compile.
import type { Policy } from '../../auth/policy';
import type { Store } from '../../db/store';
import type { Services } from '../../services';
import type { Handlers } from '../types';
import type { Lifecycle, Scrape } from './monitoring';
import { actionHandlers } from './actions';
import { backupHandlers } from './backups';
import { clientHandlers } from './clients';
import { discoveryHandlers } from './discovery';
import { jobHandlers } from './jobs';
import { monitoringHandlers } from './monitoring';
import { sessionHandlers } from './sessions';

/**
 * Reads go from handlers to the store, writes through the services. The dispatcher enforces each
 * operation's own rule; `policy` is for the decisions within one (`jobs:get_all_projects`, …).
 * `lifecycle` tells the health checks when the server is shutting down; `scrape` renders the metrics.
 */
export function createHandlers(store: Store, services: Services, policy: Policy, lifecycle: Lifecycle, scrape: Scrape): Handlers {
  return {
    ...discoveryHandlers(),
    ...monitoringHandlers(store, lifecycle, scrape),
    ...backupHandlers(store, services),
    ...clientHandlers(store, services, policy),
    ...jobHandlers(store, services, policy),
    ...actionHandlers(store, services),
    ...sessionHandlers(store, services),
  };
}
