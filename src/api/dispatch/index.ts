// The request fast path: a request's operation, and its parameters and body parsed and validated
// against the spec, in one pass. openapi-backend loads the spec and compiles the validators; the
// matching and parsing are ours, built once from its operations (its own handleRequest rebuilt
// its operation list, compiled a RegExp per operation and parsed each request four times: the
// largest cost the server controlled, docs/PERFORMANCE.md).
import type OpenAPIBackend from 'openapi-backend';
import { badRequest } from '../../errors';
import { type Query, parseQuery } from './query';
import { type Match, type Route, buildRoutes, createMatcher } from './routes';
import { type RequestParts, describeValidationErrors, validateRequest } from './validate';

export type { Match, Route };

export interface Dispatcher {
  routes: Route[];
  /** The request headers the spec reads: header parameters and the security schemes' headers. */
  requestHeaders: string[];
  /** The operation for a method and path, or why there is none. */
  match(method: string, path: string): Match;
  /**
   * The request's parts as its operation's handler takes them: the query parsed and coerced, the
   * whole request validated. Throws a 400 naming every problem when it is not valid.
   */
  prepare(route: Route, request: RawRequest): RequestParts;
}

export interface RawRequest {
  params: Record<string, string>;
  /** The query string, without the '?'. */
  queryString: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** The body's media type as the body reader accepted it; undefined: the operation's first (or none). */
  mediaType?: string;
}

export function createDispatcher(api: OpenAPIBackend): Dispatcher {
  const routes = buildRoutes(api);
  return {
    routes,
    requestHeaders: requestHeadersOf(api, routes),
    match: createMatcher(routes),
    prepare(route, { params, queryString, headers, body, mediaType }) {
      const query: Query = parseQuery(queryString);
      const parts = { params, query, headers, body, mediaType: mediaType ?? route.consumes[0] ?? '' };
      const errors = validateRequest(route, parts);
      if (errors.length) throw badRequest(describeValidationErrors(errors));
      return parts;
    },
  };
}

function requestHeadersOf(api: OpenAPIBackend, routes: Route[]): string[] {
  const names = new Set<string>();
  for (const route of routes) {
    for (const p of route.operation.parameters ?? []) if (!('$ref' in p) && p.in === 'header') names.add(p.name);
  }
  for (const scheme of Object.values(api.definition.components?.securitySchemes ?? {})) {
    if ('$ref' in scheme) continue;
    if (scheme.type === 'apiKey' && scheme.in === 'header') names.add(scheme.name);
    if (scheme.type === 'http') names.add('Authorization');
  }
  return [...names];
}
