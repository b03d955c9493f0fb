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
import { documentationHandlers } from './documentation';
import { jobHandlers } from './jobs';
import { monitoringHandlers } from './monitoring';
import { sessionHandlers } from './sessions';

/**
 * Reads go from handlers to the store, writes through the services. The dispatcher enforces each
 * operation's own rule; `policy` is for the decisions within one (`jobs:get_all_projects`, …).
 */
/** What the handlers know of the server around them. */
export interface ServerFacts {
  /** Tells the health checks when the server is shutting down. */
  lifecycle: Lifecycle;
  /** Renders the metrics. */
  scrape: Scrape;
  /** Links may name the address a proxy says the client used (FREEZER_API_TRUST_PROXY). */
  trustProxy: boolean;
}

export function createHandlers(
  store: Store,
  services: Services,
  policy: Policy,
  { lifecycle, scrape, trustProxy }: ServerFacts,
): Handlers {
  return {
    ...discoveryHandlers(trustProxy),
    ...documentationHandlers(),
    ...monitoringHandlers(store, lifecycle, scrape),
    ...backupHandlers(store, services),
    ...clientHandlers(store, services, policy),
    ...jobHandlers(store, services, policy),
    ...actionHandlers(store, services),
    ...sessionHandlers(store, services),
  };
}
