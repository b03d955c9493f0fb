// Every write the API makes, built once over the store (reads go from handlers to the store).
import type { Store } from '../db/store';
import { createActionsService } from './actions';
import { createBackupsService } from './backups';
import { createClientsService } from './clients';
import { createJobsService } from './jobs';
import { createSessionsService } from './sessions';

export type Services = ReturnType<typeof createServices>;

export function createServices(store: Store) {
  const actions = createActionsService(store);
  const sessions = createSessionsService(store);
  return {
    backups: createBackupsService(store),
    clients: createClientsService(store),
    actions,
    sessions,
    jobs: createJobsService(store, actions, sessions),
  };
}
