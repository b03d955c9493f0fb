// Request validation with openapi-backend's compiled validators (the spec's parameter and body
// schemas, coercing query parameters to their types), on the request as parsed once.
import type { ErrorObject } from 'ajv';
import type { Query } from './query';
import type { Route } from './routes';

export interface RequestParts {
  params: Record<string, string>;
  query: Query;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body; undefined when none was sent. */
  body: unknown;
  /** The body's media type, one of those the operation declares (the first when none was sent). */
  mediaType: string;
}

/**
 * Validates `parts` against the route's schemas. Query values are coerced in place (`limit=5`
 * becomes 5) and JSON query parameters are parsed. Returns the problems found, none when valid.
 */
export function validateRequest(route: Route, parts: RequestParts): ErrorObject[] {
  const errors: ErrorObject[] = [];
  const { query } = parts;
  for (const [name, parameter] of route.query) {
    const raw = query[name];
    if (parameter.integer && typeof raw === 'string' && !/^-?\d+$/.test(raw)) {
      errors.push({
        keyword: 'type',
        instancePath: `/query/${name}`,
        schemaPath: `#/parameters/${name}`,
        params: {},
        message: 'must be integer',
      });
      continue;
    }
    if (!parameter.json || typeof raw !== 'string' || raw === '') continue;
    try {
      query[name] = JSON.parse(raw);
    } catch (err) {
      errors.push(parseError(`/query/${name}`, `#/parameters/${name}`, err));
    }
  }
  const input: Record<string, unknown> = { path: parts.params, query, header: parts.headers, cookie: {} };
  if (parts.body !== undefined) input.requestBody = parts.body;
  for (const validate of route.validatorsByMediaType.get(parts.mediaType) ?? route.validators) {
    validate(input);
    if (validate.errors)
      errors.push(...validate.errors.map((e) => (isNullTypeError(e, input) ? { ...e, message: 'must not be null' } : e)));
  }
  return errors;
}

/**
 * A null where the schema wants a value: said as such, since in a merge patch null is how a key is
 * deleted, and the keys a document must have cannot be.
 */
function isNullTypeError(e: ErrorObject, input: Record<string, unknown>): boolean {
  if (e.keyword !== 'type') return false;
  let value: unknown = input;
  for (const segment of e.instancePath.split('/').slice(1)) {
    if (value === null || typeof value !== 'object') return false;
    const key = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    value = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value === null;
}

const parseError = (instancePath: string, schemaPath: string, err: unknown): ErrorObject => ({
  keyword: 'parse',
  instancePath,
  schemaPath,
  params: {},
  message: (err as Error).message,
});

/** One sentence per problem, naming the parameter or body field, for the error's description. */
export function describeValidationErrors(errors: ErrorObject[]): string {
  return [...new Set(collapseOneOf(errors).map(describeValidationError))].join('; ');
}

/**
 * A value matching none of a `oneOf`'s plain alternatives is said once ("must be integer, string
 * or null"), not once per alternative and again for the `oneOf`.
 */
function collapseOneOf(errors: ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  const collapsed = errors.map((e) => {
    if (e.keyword !== 'oneOf' || (e.params as { passingSchemas?: unknown }).passingSchemas) return e;
    const branches = errors.filter((b) => b.schemaPath.startsWith(`${e.schemaPath}/`));
    const plain = branches.every((b) => b.instancePath === e.instancePath && (b.keyword === 'type' || b.keyword === 'enum'));
    if (branches.length === 0 || !plain) return e;
    for (const b of branches) dropped.add(b);
    const kinds = branches.flatMap((b) =>
      b.keyword === 'type'
        ? [String((b.params as { type: unknown }).type)]
        : (b.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)),
    );
    const list = kinds.length > 1 ? `${kinds.slice(0, -1).join(', ')} or ${kinds.at(-1)!}` : kinds.join('');
    return { ...e, message: `must be ${list}` };
  });
  return collapsed.filter((e) => !dropped.has(e));
}

function describeValidationError(e: ErrorObject): string {
  const [, part = '', ...rest] = e.instancePath.split('/');
  const field = rest.map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
  const params = e.params as Record<string, unknown>;
  const isBody = part === 'requestBody';
  const kind = part === 'header' ? 'header' : `${part} parameter`;
  if (e.keyword === 'required' && !isBody && field === '') {
    if (part === '') return params.missingProperty === 'requestBody' ? 'Missing request body' : 'invalid request';
    return `${kind} "${String(params.missingProperty)}" is required`;
  }
  if (e.keyword === 'additionalProperties' && !isBody && field === '') {
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
