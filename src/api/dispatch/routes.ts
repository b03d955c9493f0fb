// The route table, built once from the spec's operations: what each operation needs on the
// request path (security, body, media types, query parameters, compiled validators) and a matcher
// that answers a typed Match. Matches as openapi-backend's router does (test/unit/dispatch.test.ts
// compares them): exact paths first, then templates by specificity (most literal characters
// first), a parameter standing for one non-empty segment, trailing slashes ignored.
import type { ValidateFunction } from 'ajv';
import type OpenAPIBackend from 'openapi-backend';
import type { Operation } from 'openapi-backend';
import { badRequest } from '../../errors';
import type { OperationId } from '../types';

/** A query parameter as the spec declares it. */
export interface QueryParameter {
  /** Declared with `content: application/json` or `x-json-schema`: its value is JSON text. */
  json: boolean;
  /** Its schema says integer: only decimal digits are one (Ajv's coercion takes `0x10` and `1e1`). */
  integer: boolean;
}

export interface Route {
  operationId: OperationId;
  /** The operation as openapi-backend loaded it (dereferenced). */
  operation: Operation;
  /** The spec's path template, such as /v2/{project_id}/jobs/{job_id}. */
  template: string;
  /** The spec's security for this operation names an identity scheme: the request has a caller. */
  secured: boolean;
  /** The policy rule the caller must satisfy (the spec's `x-policy`), if any. */
  policy: string | undefined;
  /** The spec's `x-lenient-accept`: an Accept it cannot satisfy gets its first media type, not a 406. */
  lenientAccept: boolean;
  /** The operation declares a request body. */
  takesBody: boolean;
  /** The media types its request body may have, in spec order (the first is the default). */
  consumes: string[];
  /** The media types it answers with on success, in spec order. */
  produces: string[];
  /** The media type of each status it answers with (undefined for a status without a body). */
  mediaTypes: ReadonlyMap<number, string | undefined>;
  query: ReadonlyMap<string, QueryParameter>;
  /** For a request whose body is application/json (or that has none). */
  validators: ValidateFunction[];
  /** For a request whose body has another of the media types in `consumes`. */
  validatorsByMediaType: ReadonlyMap<string, ValidateFunction[]>;
}

export type Match =
  /** A HEAD without an operation of its own gets its GET's (the body is left out when sent). */
  | { kind: 'operation'; route: Route; params: Record<string, string> }
  | { kind: 'notFound' }
  /** OPTIONS on a path that has operations: `allow` lists its methods. */
  | { kind: 'options'; allow: string[] }
  /** Some operation has this path, none with this method; `allow` lists the methods it answers. */
  | { kind: 'methodNotAllowed'; allow: string[] };

/** The security schemes that say who the caller is; the metrics' bearer token does not. */
const IDENTITY_SCHEMES = ['keystoneToken', 'userIdHeader'];

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** One path template: its operations by method, and where its parameters are. */
interface Template {
  /** Literal characters: the more, the more specific. */
  specificity: number;
  order: number;
  names: string[];
  byMethod: Map<string, Route>;
}

interface Node {
  literal: Map<string, Node>;
  param?: Node;
  /** Templates ending here, in definition order. */
  templates: Template[];
}

const newNode = (): Node => ({ literal: new Map(), templates: [] });

export function buildRoutes(api: OpenAPIBackend): Route[] {
  const globalSecurity = api.definition.security ?? [];
  return api.router.getOperations().map((operation) => {
    const operationId = operation.operationId as OperationId;
    const responses = Object.entries(operation.responses ?? {}) as [string, { content?: object }][];
    const mediaTypes = new Map(responses.map(([status, r]) => [Number(status), Object.keys(r.content ?? {})[0]]));
    const query = new Map<string, QueryParameter>();
    for (const p of operation.parameters ?? []) {
      if ('$ref' in p || p.in !== 'query' || query.has(p.name)) continue;
      const type = (p.schema as { type?: string } | undefined)?.type;
      const json = Boolean(p.content?.['application/json']) || JSON_SCHEMA in p;
      query.set(p.name, { json, integer: type === 'integer' });
    }
    const validated = withJsonTextParameters(operation);
    const bodyContent = (operation.requestBody as { content?: Record<string, object> } | undefined)?.content ?? {};
    return {
      operationId,
      operation,
      template: operation.path,
      secured: (operation.security ?? globalSecurity).some((requirement) => IDENTITY_SCHEMES.some((name) => name in requirement)),
      policy: (operation as { 'x-policy'?: string })['x-policy'],
      lenientAccept: (operation as { 'x-lenient-accept'?: boolean })['x-lenient-accept'] === true,
      takesBody: Boolean(operation.requestBody),
      consumes: Object.keys(bodyContent),
      produces: responses.filter(([status]) => /^[23]/.test(status)).flatMap(([, r]) => Object.keys(r.content ?? {})),
      mediaTypes,
      query,
      validators:
        validated === operation
          ? (api.validator.getRequestValidatorsForOperation(operationId) ?? [])
          : (api.validator.buildRequestValidatorsForOperation(validated) ?? []),
      validatorsByMediaType: new Map(
        Object.entries(bodyContent)
          .filter(([type]) => type !== 'application/json')
          .map(([type, media]) => [type, otherMediaTypeValidators(api, validated, media)]),
      ),
    };
  });
}

/**
 * A query parameter sent as JSON text (a string to generators, which then need no serializer of
 * their own) names the schema its parsed value must match in this extension.
 */
const JSON_SCHEMA = 'x-json-schema';

/**
 * The operation as validated: a parameter with `x-json-schema` is checked, once parsed, as if it
 * were declared with that schema as its application/json content (and described alike).
 */
function withJsonTextParameters(operation: Operation): Operation {
  const parameters = operation.parameters ?? [];
  if (!parameters.some((p) => !('$ref' in p) && JSON_SCHEMA in p)) return operation;
  return {
    ...operation,
    parameters: parameters.map((p) => {
      if ('$ref' in p || !(JSON_SCHEMA in p)) return p;
      const declared = p as unknown as Record<string, unknown>;
      const kept = Object.entries(declared).filter(([key]) => ![JSON_SCHEMA, 'schema', 'example'].includes(key));
      return {
        ...Object.fromEntries(kept),
        content: { 'application/json': { schema: declared[JSON_SCHEMA] } },
      } as unknown as typeof p;
    }),
  };
}

/**
 * openapi-backend compiles validators for application/json bodies only: these are its
 * validators for the operation as if its body's schema were that of another media type (such as
 * application/merge-patch+json), so that such bodies are checked, and described, alike.
 */
function otherMediaTypeValidators(api: OpenAPIBackend, operation: Operation, media: object): ValidateFunction[] {
  const requestBody = { ...(operation.requestBody as object), content: { 'application/json': media } };
  return api.validator.buildRequestValidatorsForOperation({ ...operation, requestBody }) ?? [];
}

export function createMatcher(routes: Route[]): (method: string, path: string) => Match {
  const exact = new Map<string, Template>();
  const root = newNode();
  const templates = new Map<string, Template>();
  routes.forEach((route, order) => {
    const { template: path } = route;
    let template = templates.get(path);
    if (!template) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
      template = { specificity: path.replace(/\{.*?\}/g, '').length, order, names, byMethod: new Map() };
      templates.set(path, template);
      if (names.length === 0) exact.set(path, template);
      let node = root;
      for (const segment of path.split('/').slice(1)) {
        if (/^\{[^}]+\}$/.test(segment)) node = node.param ??= newNode();
        else if (segment.includes('{')) throw new Error(`routes: unsupported path template ${path}`);
        else node = node.literal.get(segment) ?? node.literal.set(segment, newNode()).get(segment)!;
      }
      node.templates.push(template);
    }
    template.byMethod.set(route.operation.method, route);
  });

  return (rawMethod, rawPath) => {
    const method = rawMethod.trim().toLowerCase();
    const path = normalize(rawPath);
    const route = exact.get(path) && routeFor(exact.get(path)!, method);
    if (route) return { kind: 'operation', route, params: {} };
    const found: Found[] = [];
    collect(root, path.split('/').slice(1), 0, [], found);
    if (found.length === 0) return { kind: 'notFound' };
    found.sort((a, b) => b.template.specificity - a.template.specificity || a.template.order - b.template.order);
    for (const { template, values } of found) {
      const matched = routeFor(template, method);
      if (matched) return { kind: 'operation', route: matched, params: decodeParams(template.names, values) };
    }
    const allowed = new Set(found.flatMap(({ template }) => [...template.byMethod.keys()]));
    if (allowed.has('get')) allowed.add('head');
    allowed.add('options');
    const allow = METHODS.filter((m) => allowed.has(m)).map((m) => m.toUpperCase());
    return method === 'options' ? { kind: 'options', allow } : { kind: 'methodNotAllowed', allow };
  };
}

/** The template's operation for the method; for HEAD, its own or else its GET's (RFC 9110 §9.3.2). */
function routeFor(template: Template, method: string): Route | undefined {
  return template.byMethod.get(method) ?? (method === 'head' ? template.byMethod.get('get') : undefined);
}

/** A leading slash, no query string, no trailing slashes (collection URLs may end with one). */
function normalize(rawPath: string): string {
  let path = rawPath.trim();
  if (!path.startsWith('/')) path = `/${path}`;
  path = path.split('?')[0]!;
  while (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path;
}

interface Found {
  template: Template;
  /** The segments standing for the template's parameters, in order. */
  values: string[];
}

/** Every template the segments match; a parameter matches one non-empty segment. */
function collect(node: Node, segments: string[], index: number, values: string[], out: Found[]): void {
  if (index === segments.length) {
    for (const template of node.templates) out.push({ template, values });
    return;
  }
  const segment = segments[index]!;
  const literal = node.literal.get(segment);
  if (literal) collect(literal, segments, index + 1, values, out);
  if (node.param && segment !== '') collect(node.param, segments, index + 1, [...values, segment], out);
}

function decodeParams(names: string[], values: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  names.forEach((name, i) => {
    try {
      params[name] = decodeURIComponent(values[i]!);
    } catch {
      throw badRequest(`path parameter "${name}" is not valid percent-encoded UTF-8`);
    }
  });
  return params;
}
