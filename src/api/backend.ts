// openapi-backend, set up from spec/openapi.yaml: it routes every request to the handler named by
// the operationId and validates parameters and bodies before the handler runs.
import type Koa from 'koa';
import addFormats from 'ajv-formats';
import type { ErrorObject } from 'ajv';
import OpenAPIBackend, { type Context, type Operation, type Request } from 'openapi-backend';
import { ApiError, badRequest } from '../errors';
import { SPEC_PATH } from '../paths';
import { precompileRouter } from './fast-router';
import { validateParsed } from './validate';
import type { Handlers } from './types';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

export async function createBackend(handlers: Handlers): Promise<OpenAPIBackend> {
  const api: OpenAPIBackend = new OpenAPIBackend({
    definition: SPEC_PATH,
    strict: true,
    // Quick start compiles no validators up front; request validators are compiled below, and
    // response validators (only the tests use them) never are. The spec is linted and tested.
    quick: true,
    coerceTypes: true,
    customizeAjv: (ajv) => {
      addFormats(ajv);
      return ajv;
    },
    handlers: {
      ...handlers,
      postRoutingHandler: (c: Context, ctx: Koa.Context) => {
        if (c.operation) requireAcceptable(ctx, producedTypes(c.operation));
      },
      validationFail: (c: Context) => {
        throw badRequest(describeValidationErrors(c.validation.errors ?? []));
      },
      notFound: (c: Context) => {
        throw new ApiError(404, `No resource at ${c.request.method.toUpperCase()} ${c.request.path}`);
      },
      methodNotAllowed: (c: Context) => {
        const allowed = allowedMethods(api, c);
        throw new ApiError(
          405,
          `${c.request.path} answers ${allowed.join(', ')}, not ${c.request.method.toUpperCase()}`,
          { headers: { Allow: allowed.join(', ') } },
        );
      },
    },
  });
  await api.init();
  api.validator.preCompileRequestValidators();
  precompileRouter(api);
  return api;
}

/** The media types an operation answers with on success, in spec order. */
const producedTypes = (() => {
  const cache = new Map<string, string[]>();
  return (operation: NonNullable<Context['operation']>): string[] => {
    const id = operation.operationId ?? '';
    let types = cache.get(id);
    if (!types) {
      types = Object.entries(operation.responses ?? {})
        .filter(([status]) => /^[23]/.test(status))
        .flatMap(([, response]) => Object.keys((response as { content?: object }).content ?? {}));
      cache.set(id, types);
    }
    return types;
  };
})();

function requireAcceptable(ctx: Koa.Context, successTypes: string[]): void {
  if (!ctx.get('accept')) return;
  // An operation whose success has no body (204) can still answer with a JSON error.
  const types = successTypes.length ? successTypes : ['application/json'];
  // JSON dialects such as application/json-home are JSON too: a client accepting JSON gets them.
  const jsonDialect = types.some((t) => t !== 'application/json' && /[/+]json(-home)?$/.test(t));
  if (ctx.accepts(jsonDialect ? [...types, 'application/json'] : types)) return;
  throw new ApiError(
    406,
    `This operation answers with ${types.join(' or ')}, which the Accept header does not allow.`,
  );
}

function allowedMethods(api: OpenAPIBackend, c: Context): string[] {
  return METHODS.filter((method) => {
    try {
      api.router.matchOperation({ ...c.request, method }, true);
      return true;
    } catch {
      return false;
    }
  }).map((m) => m.toUpperCase());
}

/** One sentence per problem, naming the parameter or body field, for the error's description. */
export function describeValidationErrors(errors: ErrorObject[]): string {
  return [...new Set(errors.map(describeValidationError))].join('; ');
}

function describeValidationError(e: ErrorObject): string {
  const [, part = '', ...rest] = e.instancePath.split('/');
  const field = rest.map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
  const params = e.params as Record<string, unknown>;
  const isBody = part === 'requestBody';
  const kind = part === 'header' ? 'header' : `${part} parameter`;
  if (e.keyword === 'required' && !isBody) {
    if (part === '') return params.missingProperty === 'requestBody' ? 'Missing request body' : 'invalid request';
    return `${kind} "${String(params.missingProperty)}" is required`;
  }
  if (e.keyword === 'additionalProperties' && !isBody) {
    return `unknown ${kind} "${String(params.additionalProperty)}"`;
  }
  const subject = isBody ? (field ? `body field "${field}"` : 'body') : `${kind} "${field}"`;
  switch (e.keyword) {
    case 'required':
      return `${subject} is missing required property "${String(params.missingProperty)}"`;
    case 'additionalProperties':
      return `${subject} has unknown property "${String(params.additionalProperty)}"`;
    case 'enum':
      return `${subject} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'parse':
      return 'Malformed JSON';
    default:
      return `${subject} ${e.message ?? 'is invalid'}`;
  }
}

/**
 * Hands one request to its operation's handler, as `api.handleRequest` does (same router, same
 * validator, same handlers and hooks), without what we do not use: openapi-backend's security
 * handlers (authentication is Koa middleware, src/identity.ts) and the extra parses. handleRequest
 * parses every request four times; this parses it once and validates that (src/api/validate.ts).
 * test/unit/dispatch.test.ts checks that handlers receive exactly what handleRequest gives them.
 * `matched` is the request's operation when the caller has matched it already.
 */
export async function dispatch(
  api: OpenAPIBackend,
  req: Request,
  ctx: Koa.Context,
  matched: Operation | undefined = api.router.matchOperation(req),
): Promise<unknown> {
  const handlers = api.handlers as Record<string, ((c: Context, ctx: Koa.Context) => unknown) | undefined>;
  const handlerArgs = [ctx] as const;
  const context = { api } as Context;
  try {
    // Matched again strictly only to tell 404 from 405.
    context.operation = matched ?? api.router.matchOperation(req, true);
  } catch (err) {
    context.request = api.router.parseRequest(req);
    await handlers.postRoutingHandler?.(context, ...handlerArgs);
    const handler = (err as Error).message.startsWith('405') ? handlers.methodNotAllowed : handlers.notFound;
    return handler!(context, ...handlerArgs);
  }
  const parsed = api.router.parseRequest(req, context.operation);
  context.request = parsed;
  await handlers.postRoutingHandler?.(context, ...handlerArgs);
  const { validation, request } = validateParsed(api, context.operation, req, parsed);
  context.validation = validation;
  context.request = request;
  if (validation.errors) return handlers.validationFail!(context, ...handlerArgs);
  return handlers[context.operation.operationId!]!(context, ...handlerArgs);
}
