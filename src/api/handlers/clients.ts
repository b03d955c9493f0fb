// Registered clients, v1 and v2: one implementation, scoped by the caller.
import type { Policy } from '../../auth/policy';
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

export function clientHandlers({ clients }: Store, services: Services, policy: Policy): ClientHandlers {
  const list = async (request: OperationRequest<'listClients' | 'listClientsV1'>) => {
    const page = found(await clients.list(request.caller, pageOf(request), searchOf(request)), request);
    return { status: 200 as const, body: { clients: page }, page };
  };

  const create = async ({ caller, body }: OperationRequest<'createClient' | 'createClientV1'>) => {
    // Only the body says whether this needs the central rule too.
    if (body.is_central) policy.enforce('clients:create_central', caller, caller.projectId);
    await services.clients.register(caller, body);
    return { status: 201 as const, body: { client_id: body.client_id } };
  };

  return {
    ...withV1('listClients', list),
    ...withV1('createClient', create),
    ...itemOperations('Client', 'client_id', clients, services.clients),
  };
}
