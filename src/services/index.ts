// Every write the API makes, built once over the store (reads go from handlers to the store).
import type { Store } from '../db/store';
import type { Trusts } from '../domain/trusts';
import { createActionsService } from './actions';
import { createBackupsService } from './backups';
import { createClientsService } from './clients';
import { createJobsService } from './jobs';
import { createSessionsService } from './sessions';

export type Services = ReturnType<typeof createServices>;

/** `trusts`: Keystone trusts for the central scheduler's jobs (keystone mode only). */
export function createServices(store: Store, trusts?: Trusts) {
  const actions = createActionsService(store);
  const sessions = createSessionsService(store);
  return {
    backups: createBackupsService(store),
    clients: createClientsService(store),
    actions,
    sessions,
    jobs: createJobsService(store, actions, sessions, trusts),
  };
}
