// Clients: the registrations of the nodes that run freezer-scheduler.
import type { components } from '../../generated/openapi';
import type { Scope } from '../domain/caller';
import type { Store } from '../db/store';
import { conflict } from '../errors';

type ClientInfo = components['schemas']['ClientInfo'];

export type ClientsService = ReturnType<typeof createClientsService>;

export function createClientsService({ clients }: Store) {
  return {
    /** Registers the client; 409 when the owner already registered its `client_id`. */
    async create(scope: Scope, info: ClientInfo): Promise<void> {
      if (!(await clients.insert(scope, info))) throw conflict(`Client already registered with ID ${info.client_id}`);
    },

    /** True when there was such a client. */
    remove: (scope: Scope, clientId: string): Promise<boolean> => clients.remove(scope, clientId),
  };
}
