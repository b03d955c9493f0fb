// openapi-backend matches every request by rebuilding its whole operation list and compiling a
// RegExp per operation (its cost grows with the spec: ~60 operations here). This swaps in a
// matcher built once from the same operations, with the same answers: exact paths first, then
// templates by specificity (most literal characters first), 404 for no path, 405 for no method.
// test/unit/fast-router.test.ts checks it against the stock matcher for every path and method.
//
// openapi-backend also parses each request four times (before and after routing, in validation,
// after coercion), each time compiling the path template's parameter parser anew. The parser
// here compiles each template once and otherwise does what the stock one does; requests with
// cookies (no operation here reads any) go to the stock parser. Query strings of plain
// `name=value` pairs (what clients send) are read without qs, which costs more than the rest of
// the parse; anything else still goes to qs. Tested the same way.
import type OpenAPIBackend from 'openapi-backend';
import type { Operation, ParsedRequest, Request } from 'openapi-backend';
import { badRequest } from '../errors';

interface Node {
  literal: Map<string, Node>;
  param?: Node;
  /** Templates ending here, in definition order. */
  templates: { specificity: number; order: number; byMethod: Map<string, Operation> }[];
}

const newNode = (): Node => ({ literal: new Map(), templates: [] });

export function precompileRouter(api: OpenAPIBackend): void {
  const router = api.router;
  const exact = new Map<string, Map<string, Operation>>();
  const root = newNode();
  const templates = new Map<string, Node['templates'][number]>();

  router.getOperations().forEach((operation, order) => {
    const path = operation.path;
    if (!exact.has(path)) exact.set(path, new Map());
    exact.get(path)!.set(operation.method, operation);
    let template = templates.get(path);
    if (!template) {
      template = { specificity: path.replace(/\{.*?\}/g, '').length, order, byMethod: new Map() };
      templates.set(path, template);
      let node = root;
      for (const segment of path.split('/').slice(1)) {
        if (/^\{[^}]+\}$/.test(segment)) node = node.param ??= newNode();
        else if (segment.includes('{')) throw new Error(`precompileRouter: unsupported path template ${path}`);
        else node = node.literal.get(segment) ?? node.literal.set(segment, newNode()).get(segment)!;
      }
      node.templates.push(template);
    }
    template.byMethod.set(operation.method, operation);
  });

  router.matchOperation = ((request: Parameters<typeof router.matchOperation>[0], strict?: boolean) => {
    const req = router.normalizeRequest(request);
    const fail = (message: string) => {
      if (strict) throw Error(message);
      return undefined;
    };
    // isUnderApiRoot is private in the typings but part of the stock matcher's contract.
    const underRoot = (router as unknown as { isUnderApiRoot(path: string): boolean }).isUnderApiRoot(req.path);
    if (!underRoot) return fail('404-notFound: no route matches request');
    const path = router.normalizePath(req.path);
    const found = exact.get(path)?.get(req.method);
    if (found) return found;
    const matches: Node['templates'] = [];
    collect(root, path.split('/').slice(1), 0, matches);
    if (matches.length === 0) return fail('404-notFound: no route matches request');
    matches.sort((a, b) => b.specificity - a.specificity || a.order - b.order);
    for (const match of matches) {
      const operation = match.byMethod.get(req.method);
      if (operation) return operation;
    }
    return fail('405-methodNotAllowed: this method is not registered for the route');
  }) as typeof router.matchOperation;

  precompileParser(api);
}

type PathParser = (path: string) => Record<string, string>;

function precompileParser(api: OpenAPIBackend): void {
  const router = api.router;
  const stockParse = router.parseRequest.bind(router);
  const pathParsers = new Map<string, PathParser>();
  const pathParser = (template: string): PathParser => {
    let parser = pathParsers.get(template);
    if (!parser) pathParsers.set(template, (parser = compilePathParser(template)));
    return parser;
  };

  const stockQuery = router.parseRequestQuery.bind(router);
  router.parseRequestQuery = (req: Request) =>
    (typeof req.query === 'string' ? plainQuery(req.query.replace('?', '')) : undefined) ?? stockQuery(req);

  // The stock parser reads cookies; its path decoding throws on a broken %-escape (a 500), so
  // the path parameters are decoded here first, which answers that with a 400.
  const parseWithCookies = (req: Request, operation?: Operation): ParsedRequest => {
    if (operation) pathParser(operation.path)(router.normalizePath(router.normalizeRequest(req).path));
    return stockParse(req, operation);
  };

  router.parseRequest = (req: Request, operation?: Operation): ParsedRequest => {
    const headers: Record<string, string | string[]> = {};
    for (const name in req.headers) {
      const lower = name.toLowerCase();
      if (lower === 'cookie') return parseWithCookies(req, operation);
      headers[lower] = req.headers[name]!;
    }
    let requestBody = req.body;
    if (req.body && typeof req.body !== 'object') {
      try {
        requestBody = JSON.parse(String(req.body));
      } catch {
        // left as sent: validation reports malformed JSON where the operation takes JSON
      }
    }
    const query = router.parseRequestQuery(req) as Record<string, unknown>;
    const normalized = router.normalizeRequest(req);
    let params: Record<string, string> = {};
    if (operation) {
      params = pathParser(operation.path)(router.normalizePath(normalized.path));
      styleQuery(operation, query);
    }
    // Object.assign, not `{ ...normalized, params, … }`: V8 builds that literal on a slow path
    // (microseconds per request here).
    return Object.assign({}, normalized, { params, headers, query, cookies: {}, requestBody }) as ParsedRequest;
  };
}

export interface QueryParameter {
  content?: Record<string, unknown>;
  schema?: { type?: unknown };
  explode?: boolean;
  style?: string;
}

/** An operation's query parameters by name (the first of a name wins, as in the stock parser). */
const queryParameterMaps = new WeakMap<Operation, Map<string, QueryParameter>>();
export function queryParameters(operation: Operation): Map<string, QueryParameter> {
  let map = queryParameterMaps.get(operation);
  if (!map) {
    map = new Map();
    for (const p of operation.parameters ?? []) {
      if (!('$ref' in p) && p.in === 'query' && !map.has(p.name)) map.set(p.name, p as QueryParameter);
    }
    queryParameterMaps.set(operation, map);
  }
  return map;
}

/** As openapi-backend (through bath-es5) does: `{name}` matches one segment, percent-decoded. */
function compilePathParser(template: string): PathParser {
  const names = [...template.matchAll(/\{([A-Za-z0-9_-]+)\}/g)].map((m) => m[1]!);
  if (new Set(names).size !== names.length) throw new Error(`precompileRouter: repeated parameter in ${template}`);
  const pattern = new RegExp(`^${template.replace(/\{[A-Za-z0-9_-]+\}/g, '([^\\/]*)')}$`);
  return (path) => {
    const match = pattern.exec(path);
    const params: Record<string, string> = {};
    if (!match) return params;
    names.forEach((name, i) => {
      try {
        params[name] = decodeURIComponent(match[i + 1]!);
      } catch {
        // The stock parser lets URIError escape (a 500).
        throw badRequest(`path parameter "${name}" is not valid percent-encoded UTF-8`);
      }
    });
    return params;
  };
}

/** Reads, in place, each of `query`'s values as its parameter's style says (styledQueryValue). */
export function styleQuery(operation: Operation, query: Record<string, unknown>): void {
  const declared = queryParameters(operation);
  for (const name in query) {
    const parameter = declared.get(name);
    if (parameter && query[name]) query[name] = styledQueryValue(parameter, query[name]);
  }
}

/** Query parameters sent as JSON, or as non-exploded arrays, exactly as the stock parser reads them. */
function styledQueryValue(parameter: QueryParameter, raw: unknown): unknown {
  if (parameter.content?.['application/json']) {
    if (typeof raw !== 'string') return raw;
    try {
      return JSON.parse(raw);
    } catch {
      return raw; // validation reports malformed JSON
    }
  }
  if (parameter.explode !== false) return raw;
  if (Array.isArray(raw) && raw.length > 1) return raw; // already decoded (type coercion)
  const value: unknown = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== 'string') return raw;
  let decoded = value.replace(/%2C/g, ',');
  if (parameter.style === 'spaceDelimited') decoded = decoded.replace(/ /g, ',').replace(/%20/g, ',');
  if (parameter.style === 'pipeDelimited') decoded = decoded.replace(/\|/g, ',').replace(/%7C/g, ',');
  return decoded.split(',');
}

/** Names qs reads as they are: no brackets, escapes or '+' (and so no nesting or arrays). */
const PLAIN_NAME = /^[A-Za-z0-9_.~-]+$/;
const QS_PARAMETER_LIMIT = 1000;

/**
 * `a=1&b=x%20y` as qs reads it (and openapi-backend with it), for strings with nothing qs treats
 * specially: undefined when a name is not plain, repeats, lacks its `=`, is one of Object's own
 * properties (qs drops those), or brackets appear anywhere. Values decode as qs decodes them.
 */
export function plainQuery(query: string): Record<string, string> | undefined {
  if (query === '') return {};
  if (query.includes('[') || query.includes(']') || /%5[bd]/i.test(query)) return undefined;
  const parts = query.split('&');
  if (parts.length > QS_PARAMETER_LIMIT) return undefined;
  const parsed: Record<string, string> = {};
  for (const part of parts) {
    const equals = part.indexOf('=');
    if (equals <= 0) return undefined;
    const name = part.slice(0, equals);
    if (!PLAIN_NAME.test(name) || Object.hasOwn(parsed, name) || name in Object.prototype) return undefined;
    parsed[name] = decodeQueryValue(part.slice(equals + 1));
  }
  return parsed;
}

/** As qs's decoder: '+' is a space, and a broken escape leaves the text as it is. */
function decodeQueryValue(raw: string): string {
  const value = raw.includes('+') ? raw.replace(/\+/g, ' ') : raw;
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Every template the segments match; a parameter matches one non-empty segment. */
function collect(node: Node, segments: string[], index: number, out: Node['templates']): void {
  if (index === segments.length) {
    out.push(...node.templates);
    return;
  }
  const segment = segments[index]!;
  const literal = node.literal.get(segment);
  if (literal) collect(literal, segments, index + 1, out);
  if (node.param && segment !== '') collect(node.param, segments, index + 1, out);
}
