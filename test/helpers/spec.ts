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

/** Every response, whatever its status, carries nosniff and does not name the server's framework. */
function headerProblems(res: Exchange): string[] {
  const problems: string[] = [];
  if (res.headers['x-content-type-options'] !== 'nosniff') problems.push('no X-Content-Type-Options: nosniff');
  if (res.headers['x-powered-by'] !== undefined) problems.push('an X-Powered-By header');
  return problems;
}

async function bodyConformanceErrors(res: Exchange): Promise<string[]> {
  const api = await specApi();
  const contentType = String(res.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  let operation: Operation | undefined;
  try {
    operation = api.router.matchOperation({ method: res.method, path: res.path.split('?')[0]!, headers: {} }, true);
  } catch {
    operation = undefined;
  }
  if (!operation) {
    if (![404, 405].includes(res.status)) return [`unrouted request answered ${res.status}`];
    return validateError(api, res.body, contentType);
  }
  const declared = operation.responses?.[String(res.status)] as
    { content?: Record<string, unknown>; headers?: Record<string, unknown> } | undefined;
  if (!declared) return [`${operation.operationId} does not declare status ${res.status}`];
  const missing = Object.keys(declared.headers ?? {}).filter((name) => res.headers[name.toLowerCase()] === undefined);
  if (missing.length > 0) return [`${operation.operationId} ${res.status} lacks the declared header(s) ${missing.join(', ')}`];
  const mediaTypes = Object.keys(declared.content ?? {});
  if (mediaTypes.length === 0) {
    return res.text === '' ? [] : [`${operation.operationId} ${res.status} must have no body`];
  }
  if (!mediaTypes.includes(contentType)) {
    return [`${operation.operationId} ${res.status} sent ${contentType}, spec says ${mediaTypes.join(', ')}`];
  }
  const result = api.validateResponse(res.body, operation, res.status);
  return (result.errors ?? []).map((e) => `${operation.operationId} ${res.status}: ${e.instancePath} ${e.message}`);
}

let errorValidator: ValidateFunction | undefined;

function validateError(api: OpenAPIBackend, body: unknown, contentType: string): string[] {
  if (contentType !== 'application/json') return [`error sent as ${contentType}`];
  const schema = (api.definition.components?.schemas as Record<string, object>).Error!;
  const validate = (errorValidator ??= new Ajv({ allErrors: true, strict: false }).compile(schema));
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `Error body: ${e.instancePath} ${e.message}`);
}
