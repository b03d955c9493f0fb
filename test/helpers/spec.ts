// Checks responses against spec/openapi.yaml with openapi-backend's own validators.
import OpenAPIBackend, { type Operation } from 'openapi-backend';
import addFormats from 'ajv-formats';
import Ajv, { type ValidateFunction } from 'ajv';
import { SPEC_PATH } from '../../src/paths';

let loaded: Promise<OpenAPIBackend> | undefined;

/** The spec, parsed and dereferenced once per test file. */
export function specApi(): Promise<OpenAPIBackend> {
  loaded ??= (async () => {
    const api = new OpenAPIBackend({
      definition: SPEC_PATH,
      strict: true,
      quick: true, // compile each response validator when first used
      customizeAjv: (ajv) => {
        addFormats(ajv);
        return ajv;
      },
    });
    await api.init();
    // Its router rebuilds the operation list on every match (twice); the spec does not change.
    const operations = api.router.getOperations();
    api.router.getOperations = () => operations;
    return api;
  })();
  return loaded;
}

export interface Exchange {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  text: string;
}

/**
 * Every response must be one the spec declares: a status the matched operation lists, with its
 * media type and a body valid against its schema. Requests no operation matches (unknown paths,
 * wrong methods) must answer with the spec's Error body.
 */
export async function conformanceErrors(res: Exchange): Promise<string[]> {
  const problems = headerProblems(res);
  return problems.length > 0 ? problems : bodyConformanceErrors(res);
}

const REQUEST_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Every response, whatever its status, carries nosniff and an OpenStack request id, and does not
 * name the server's framework.
 */
function headerProblems(res: Exchange): string[] {
  const problems: string[] = [];
  const requestId = res.headers['x-openstack-request-id'];
  if (typeof requestId !== 'string' || !REQUEST_ID.test(requestId))
    problems.push(`x-openstack-request-id is ${String(requestId)}`);
  if (res.headers['x-content-type-options'] !== 'nosniff') problems.push('no X-Content-Type-Options: nosniff');
  if (res.headers['x-powered-by'] !== undefined) problems.push('an X-Powered-By header');
  return problems;
}

async function bodyConformanceErrors(res: Exchange): Promise<string[]> {
  const api = await specApi();
  const contentType = String(res.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  const method = res.method.toLowerCase();
  const path = res.path.split('?')[0]!;
  const matched = (m: string) => {
    try {
      return api.router.matchOperation({ method: m, path, headers: {} }, true);
    } catch {
      return undefined;
    }
  };
  // The spec's "HTTP methods" rules: a HEAD without an operation of its own is its GET's.
  const operation: Operation | undefined = matched(method) ?? (method === 'head' ? matched('get') : undefined);
  if (!operation) {
    if (method === 'options' && res.status === 204) {
      if (typeof res.headers.allow !== 'string') return ['OPTIONS answered 204 without Allow'];
      return res.text === '' ? [] : ['OPTIONS 204 must have no body'];
    }
    if (![404, 405].includes(res.status)) return [`unrouted request answered ${res.status}`];
    if (res.status === 405 && typeof res.headers.allow !== 'string') return ['405 without Allow'];
    if (method === 'head') return res.text === '' ? [] : [`HEAD answered ${res.status} with a body`];
    return validateError(api, res.body, contentType);
  }
  const declared = operation.responses?.[String(res.status)] as
    { content?: Record<string, unknown>; headers?: Record<string, HeaderObject> } | undefined;
  if (!declared) return [`${operation.operationId} does not declare status ${res.status}`];
  const headerErrors = declaredHeaderProblems(declared.headers ?? {}, res.headers);
  if (headerErrors.length > 0) return headerErrors.map((e) => `${operation.operationId} ${res.status}: ${e}`);
  if (method === 'head' && operation.method !== 'head') {
    return res.text === '' ? [] : [`HEAD as ${operation.operationId} answered with a body`];
  }
  const mediaTypes = Object.keys(declared.content ?? {});
  if (mediaTypes.length === 0) {
    return res.text === '' ? [] : [`${operation.operationId} ${res.status} must have no body`];
  }
  if (!mediaTypes.includes(contentType)) {
    return [`${operation.operationId} ${res.status} sent ${contentType}, spec says ${mediaTypes.join(', ')}`];
  }
  // openapi-backend validates against one media type's schema; a status with several (the
  // health check's text or JSON) is checked against the one that was sent.
  if (mediaTypes.length > 1) {
    const schema = (declared.content as Record<string, { schema: object }>)[contentType]!.schema;
    const validate = validatorOf(schema);
    if (validate(res.body)) return [];
    return (validate.errors ?? []).map(
      (e) => `${operation.operationId} ${res.status} ${contentType}: ${e.instancePath} ${e.message}`,
    );
  }
  const result = api.validateResponse(res.body, operation, res.status);
  return (result.errors ?? []).map((e) => `${operation.operationId} ${res.status}: ${e.instancePath} ${e.message}`);
}

interface HeaderObject {
  required?: boolean;
  schema?: { type?: string };
}

/** The headers the spec requires are there; each declared one that is there is valid against its schema. */
function declaredHeaderProblems(declared: Record<string, HeaderObject>, sent: Exchange['headers']): string[] {
  const problems: string[] = [];
  for (const [name, header] of Object.entries(declared)) {
    const value = sent[name.toLowerCase()];
    if (value === undefined) {
      if (header.required) problems.push(`lacks the required header ${name}`);
      continue;
    }
    if (!header.schema) continue;
    const validate = validatorOf(header.schema);
    const text = String(value);
    const typed = header.schema.type === 'integer' && /^\d+$/.test(text) ? Number(text) : text;
    if (!validate(typed)) problems.push(`header ${name} "${text}": ${otherAjv.errorsText(validate.errors)}`);
  }
  return problems;
}

/** For what openapi-backend does not validate: a second media type's body, a header's value. */
const otherAjv = addFormats(new Ajv({ allErrors: true, strict: false }));
const otherValidators = new WeakMap<object, ValidateFunction>();
const validatorOf = (schema: object): ValidateFunction =>
  otherValidators.get(schema) ?? otherValidators.set(schema, otherAjv.compile(schema)).get(schema)!;

let errorValidator: ValidateFunction | undefined;

function validateError(api: OpenAPIBackend, body: unknown, contentType: string): string[] {
  if (contentType !== 'application/json') return [`error sent as ${contentType}`];
  const schema = (api.definition.components?.schemas as Record<string, object>).ErrorBody!;
  const validate = (errorValidator ??= new Ajv({ allErrors: true, strict: false }).compile(schema));
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `Error body: ${e.instancePath} ${e.message}`);
}
