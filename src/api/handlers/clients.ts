// Registered clients, v1 and v2: one implementation, scoped by the caller.
import type { Store } from '../../db/store';
import { notFound } from '../../errors';
import type { Services } from '../../services';
import type { Handlers, OperationRequest } from '../types';
import { found, pageOf, searchOf } from './requests';

type ClientHandlers = Pick<
  Handlers,
  | 'listClients' | 'listClientsV1' | 'createClient' | 'createClientV1'
  | 'getClient' | 'getClientV1' | 'deleteClient' | 'deleteClientV1'
>;

export function clientHandlers({ clients }: Store, services: Services): ClientHandlers {
  const list = async (request: OperationRequest<'listClients' | 'listClientsV1'>) => ({
    status: 200 as const,
    body: { clients: found(await clients.list(request.caller, pageOf(request), searchOf(request)), request) },
  });

  const create = async ({ caller, body }: OperationRequest<'createClient' | 'createClientV1'>) => {
    await services.clients.create(caller, body);
    return { status: 201 as const, body: { client_id: body.client_id } };
  };

  const get = async ({ caller, params: { client_id } }: OperationRequest<'getClient' | 'getClientV1'>) => {
    const client = await clients.find(caller, client_id);
    if (!client) throw notFound(`No client found with ID ${client_id}`);
    return { status: 200 as const, body: client };
  };

  return {
    listClients: list,
    listClientsV1: list,
    createClient: create,
    createClientV1: create,
    getClient: get,
    getClientV1: get,

    // v2 answers 204 whatever there was to delete, as the original does.
    async deleteClient({ caller, params }) {
      await services.clients.remove(caller, params.client_id);
      return { status: 204 as const };
    },

    async deleteClientV1({ caller, params: { client_id } }) {
      if (!(await services.clients.remove(caller, client_id))) throw notFound(`No client found with ID ${client_id}`);
      return { status: 204 as const };
    },
  };
}
