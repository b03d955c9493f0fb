// A typed client for TypeScript users, published as `freezer-api/client`: openapi-fetch over the
// types generated from the spec, so every path, parameter, body and answer is checked by the
// compiler against the same document the server validates with. Adds what the spec cannot say:
// how to authenticate, the version a write must match, and searches from a GET without a body.
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from '../generated/openapi';

export type { components, paths };
export type FreezerClient = Client<paths>;
export type Search = components['schemas']['Search'];

/** Who the requests are from: a Keystone token (keystone mode), or a user id (noauth mode). */
export type Credentials =
  { keystoneToken: string | (() => string | Promise<string>) } | { userId: string; projectId?: string; roles?: string[] };

export interface FreezerClientOptions {
  /** The server's address, e.g. `http://127.0.0.1:9090`. */
  baseUrl: string;
  credentials?: Credentials;
  /** Another fetch (a proxy agent, a test double); the global one by default. */
  fetch?: typeof globalThis.fetch;
}

/** A client for the server at `baseUrl`, sending `credentials` with every request. */
export function createFreezerClient({ baseUrl, credentials, fetch }: FreezerClientOptions): FreezerClient {
  const client = createClient<paths>({ baseUrl: baseUrl.replace(/\/$/, ''), ...(fetch && { fetch }) });
  if (credentials) client.use(authenticate(credentials));
  return client;
}

/** Middleware that adds the credentials' headers (X-Auth-Token, or X-User-Id and its companions). */
export function authenticate(credentials: Credentials): Middleware {
  return {
    async onRequest({ request }) {
      if ('keystoneToken' in credentials) {
        const { keystoneToken } = credentials;
        request.headers.set('X-Auth-Token', typeof keystoneToken === 'string' ? keystoneToken : await keystoneToken());
        return request;
      }
      request.headers.set('X-User-Id', credentials.userId);
      if (credentials.projectId !== undefined) request.headers.set('X-Project-Id', credentials.projectId);
      if (credentials.roles !== undefined) request.headers.set('X-Roles', credentials.roles.join(','));
      return request;
    },
  };
}

/**
 * A search as the `search` query parameter carries it (JSON text): what a GET list takes from a
 * client that cannot send a body with GET, as fetch cannot. `{ query: { search: search({...}) } }`.
 */
export const search = (criteria: Search): string => JSON.stringify(criteria);

/**
 * The version a response's `ETag` names (jobs, actions and sessions), to send back as `If-Match`
 * so that the write applies only to that version: `{ header: { 'If-Match': etag(response) } }`.
 */
export function etag(response: Response): string {
  const value = response.headers.get('ETag');
  if (value === null) throw new Error(`${response.url} answered without an ETag`);
  return value;
}
