// Clients: the registrations of the nodes that run freezer-scheduler, private to a project or
// central (seen and used by every project).
import type { Scope } from '../domain/caller';
import { sameJson } from '../domain/documents';
import type { ClientInfo, RegisteredClientInfo } from '../db/repos/clients';
import type { Store } from '../db/store';
import { conflict, forbidden } from '../errors';

/** What registering a client again may change (upstream: the description and the capabilities). */
const UPDATABLE = ['description', 'supported_actions', 'supported_modes', 'supported_storages', 'supported_engines'] as const;

export type ClientsService = ReturnType<typeof createClientsService>;

export function createClientsService(store: Store) {
  const { clients } = store;
  return {
    /**
     * Registers the client, or updates the scope's own registration of its id (schedulers register
     * at every start). 409 when the id is another project's central client, or when registering a
     * central client under an id any project has. Whether the caller may register a central
     * client is the handler's (policy) decision.
     */
    register(scope: Scope, info: ClientInfo): Promise<void> {
      return store.transaction(async (trx) => {
        const registrations = await clients.registrations(scope, info.client_id, { trx });
        const own = registrations.find((r) => r.own);
        if (own) {
          const before = own.client.client;
          const after: RegisteredClientInfo = { ...before };
          for (const key of UPDATABLE) if (info[key] !== undefined) Object.assign(after, { [key]: info[key] });
          if (!sameJson(before, after)) await clients.update(own.seq, after, { trx });
          return;
        }
        const taken = info.is_central ? registrations[0] : registrations.find((r) => r.client.client.is_central);
        if (taken || !(await clients.insert(scope, info, { trx }))) {
          throw conflict(`Client ${info.client_id} is already registered by another project`);
        }
      });
    },

    /** True when there was such a client of the scope's; 403 for another project's central client. */
    async remove(scope: Scope, clientId: string): Promise<boolean> {
      if (await clients.remove(scope, clientId)) return true;
      const shown = await clients.find(scope, clientId);
      if (shown?.client.is_central) throw forbidden();
      return false;
    },
  };
}
