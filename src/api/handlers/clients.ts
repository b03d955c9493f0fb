// Registered clients, v1 and v2: one implementation, scoped by the caller.
import type Koa from 'koa';
import type { ClientsRepo } from '../../db/repos/clients';
import { notFound } from '../../errors';
import type { CallerOf } from '../../identity';
import { type Ctx, type Handlers, noContent, reply } from '../types';
import { combineSearches } from '../../db/search';
import { callerFor, pageOf, searchParam } from './common';

type ClientHandlers = Pick<
  Handlers,
  | 'listClients' | 'listClientsV1' | 'createClient' | 'createClientV1'
  | 'getClient' | 'getClientV1' | 'deleteClient' | 'deleteClientV1'
>;

export function clientHandlers(clients: ClientsRepo, callerOf: CallerOf): ClientHandlers {
  async function list(c: Ctx<'listClients' | 'listClientsV1'>, ctx: Koa.Context) {
    const found = await clients.list(callerFor(callerOf, c, ctx), pageOf(c), combineSearches(c.request.requestBody, searchParam(c)));
    reply(ctx, 'listClients', 200, { clients: found });
  }

  async function create(c: Ctx<'createClient' | 'createClientV1'>, ctx: Koa.Context) {
    const info = c.request.requestBody;
    await clients.insert(callerFor(callerOf, c, ctx), info);
    reply(ctx, 'createClient', 201, { client_id: info.client_id });
  }

  async function get(c: Ctx<'getClient' | 'getClientV1'>, ctx: Koa.Context) {
    const { client_id } = c.request.params;
    const client = await clients.find(callerFor(callerOf, c, ctx), client_id);
    if (!client) throw notFound(`No client found with ID ${client_id}`);
    reply(ctx, 'getClient', 200, client);
  }

  return {
    listClients: list,
    listClientsV1: list,
    createClient: create,
    createClientV1: create,
    getClient: get,
    getClientV1: get,

    // v2 answers 204 whatever there was to delete, as the original does.
    async deleteClient(c, ctx) {
      await clients.remove(callerFor(callerOf, c, ctx), c.request.params.client_id);
      noContent(ctx);
    },

    async deleteClientV1(c, ctx) {
      const { client_id } = c.request.params;
      if (!(await clients.remove(callerFor(callerOf, c, ctx), client_id))) {
        throw notFound(`No client found with ID ${client_id}`);
      }
      noContent(ctx);
    },
  };
}
