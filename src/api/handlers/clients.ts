// Registered clients, v1 and v2: one implementation, scoped by the caller.
import { forbidden } from '../../errors';
import type { Store } from '../../db/store';
import type { Services } from '../../services';
import type { Handlers, OperationRequest } from '../types';
import { found, itemOperations, pageOf, searchOf, withV1 } from './requests';

type ClientHandlers = Pick<
  Handlers,
  | 'listClients'
  | 'listClientsV1'
  | 'createClient'
  | 'createClientV1'
  | 'getClient'
  | 'getClientV1'
  | 'deleteClient'
  | 'deleteClientV1'
>;

export function clientHandlers({ clients }: Store, services: Services): ClientHandlers {
  const list = async (request: OperationRequest<'listClients' | 'listClientsV1'>) => ({
    status: 200 as const,
    body: { clients: found(await clients.list(request.caller, pageOf(request), searchOf(request)), request) },
  });

  const create = async ({ caller, body }: OperationRequest<'createClient' | 'createClientV1'>) => {
    // TODO(policy): clients:create_central through the policy engine once it is wired in.
    if (body.is_central && !caller.roles.some((role) => role === 'admin' || role === 'service')) {
      throw forbidden();
    }
    await services.clients.register(caller, body);
    return { status: 201 as const, body: { client_id: body.client_id } };
  };

  return {
    ...withV1('listClients', list),
    ...withV1('createClient', create),
    ...itemOperations('Client', 'client_id', clients, services.clients),
  };
}
