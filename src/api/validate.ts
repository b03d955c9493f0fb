// Request validation with openapi-backend's own compiled validators, on the request as parsed
// once. Its validateRequest parses the request itself (a second qs parse, plus a third for
// operations with JSON query parameters) and its handleRequest parses once more after coercion;
// on a list that bookkeeping cost more than the validators. This does the same steps on the one
// parse: test/unit/dispatch.test.ts checks that handlers and validationFail receive exactly what
// handleRequest gives them.
import type { ErrorObject } from 'ajv';
import type OpenAPIBackend from 'openapi-backend';
import type { Operation, ParsedRequest, Request, ValidationResult } from 'openapi-backend';
import { queryParameters, styleQuery } from './fast-router';

export interface Validated {
  validation: ValidationResult<Request>;
  /** The request as handlers see it (query and body coerced, path parameters as sent), or as
   * validationFail sees it (as parsed, uncoerced) when validation failed. */
  request: ParsedRequest;
}

export function validateParsed(api: OpenAPIBackend, operation: Operation, req: Request, parsed: ParsedRequest): Validated {
  const errors: ErrorObject[] = [];
  const declared = queryParameters(operation);
  const query = parsed.query as Record<string, unknown>;
  // A parameter declared as an array may come once, as a plain value.
  for (const name in query) {
    if (typeof query[name] === 'string' && declared.get(name)?.schema?.type === 'array') query[name] = [query[name]];
  }
  // The path parameters are validated (and coerced) in a copy: handlers get them as sent.
  const parameters: Record<string, unknown> = { path: { ...parsed.params }, query, header: parsed.headers, cookie: parsed.cookies };

  if (typeof req.body !== 'object' && req.body !== undefined && takesOnlyJson(operation)) {
    try {
      JSON.parse(`${req.body as string}`);
    } catch (err) {
      errors.push(parseError('', '#/requestBody', err));
    }
  }
  // Malformed JSON in a query parameter declared as JSON (the parse left the raw text in place).
  for (const [name, parameter] of declared) {
    if (!parameter.content?.['application/json'] || !(name in query)) continue;
    const raw = (api.router.parseRequestQuery(req) as Record<string, unknown>)[name];
    if (typeof raw !== 'string') continue;
    try {
      JSON.parse(raw);
    } catch (err) {
      errors.push(parseError(`/query/${name}`, `#/parameters/${name}`, err));
    }
  }
  const rawType = parsed.headers['content-type'];
  const contentType = String((Array.isArray(rawType) ? rawType[0] : rawType) || '').split(';')[0]!.trim().toLowerCase();
  if (typeof parsed.requestBody === 'object' || contentType === 'application/json') parameters.requestBody = parsed.requestBody;

  // As openapi-backend does: the coerced query and path go into `coerced` once any validator
  // passes, even if another failed.
  let coerced = false;
  for (const validate of api.validator.getRequestValidatorsForOperation(operation.operationId!) ?? []) {
    validate(parameters);
    if (validate.errors) errors.push(...validate.errors);
    else coerced = true;
  }
  const validation: ValidationResult<Request> = {
    valid: errors.length === 0,
    errors: errors.length ? errors : null,
    coerced: coerced ? Object.assign({}, req, { query: query as Request['query'], params: parameters.path as Request['params'] }) : { ...req },
  };
  // validationFail sees the request as parsed before validation, as with handleRequest.
  if (errors.length) return { validation, request: api.router.parseRequest(req, operation) };
  // Nothing coerced, or a body still to be parsed: as openapi-backend does, parse it all again.
  if (!coerced || (req.body && typeof req.body !== 'object')) {
    return { validation, request: api.router.parseRequest(validation.coerced!, operation) };
  }
  // As openapi-backend reads the coerced query again: a copy, styled per its parameter.
  const finalQuery: Record<string, unknown> = { ...query };
  styleQuery(operation, finalQuery);
  // Object.assign rather than a spread with overrides, which V8 builds on a slow path.
  return { validation, request: Object.assign({}, parsed, { query: finalQuery }) as ParsedRequest };
}

const onlyJson = new WeakMap<Operation, boolean>();
function takesOnlyJson(operation: Operation): boolean {
  let only = onlyJson.get(operation);
  if (only === undefined) {
    const types = Object.keys((operation.requestBody as { content?: object } | undefined)?.content ?? {});
    onlyJson.set(operation, (only = types.length === 1 && types[0] === 'application/json'));
  }
  return only;
}

const parseError = (instancePath: string, schemaPath: string, err: unknown): ErrorObject => ({
  keyword: 'parse',
  instancePath,
  schemaPath,
  params: [] as unknown as Record<string, unknown>,
  message: (err as Error).message,
});
