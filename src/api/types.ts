// Handler types derived from the generated spec types: a handler reads only the parameters and
// body its operation declares, and returns only a status and body that operation declares.
import type Koa from 'koa';
import type { components, operations } from '../../generated/openapi';
import type { Json } from '../db/json-text';
import type { Caller } from '../domain/caller';

export type OperationId = keyof operations;
type Op<K extends OperationId> = operations[K];

/**
 * The operations whose spec security names no identity scheme: they run without a caller. The dispatcher reads
 * the spec itself; this list only types `caller`, and test/spec/spec.test.ts keeps it equal to the spec.
 */
export const PUBLIC_OPERATIONS = [
  'getVersions',
  'listVersions',
  'getHealth',
  'headHealth',
  'getLiveness',
  'headLiveness',
  'getReadiness',
  'headReadiness',
  'getMetrics',
  'getOpenApiJson',
  'getOpenApiYaml',
  'getDocs',
  'getDocsStyle',
  'getDocsScript',
] as const;
type PublicOperation = (typeof PUBLIC_OPERATIONS)[number];

/** The body schema of a request or response, whatever its single media type. */
type BodyOf<T> = T extends { content: infer C } ? C[keyof C] : undefined;
/** The media types a response declares. */
type MediaTypesOf<T> = T extends { content: infer C } ? keyof C & string : never;
/** The request body of an operation: undefined for operations that take none, or when an optional one was not sent. */
type RequestBodyOf<K extends OperationId> = [NonNullable<Op<K>['requestBody']>] extends [never]
  ? undefined
  : BodyOf<NonNullable<Op<K>['requestBody']>> | (undefined extends Op<K>['requestBody'] ? undefined : never);
/** An object type where an operation declares no parameters. */
type OrEmpty<T> = [NonNullable<T>] extends [never] ? Record<string, never> : NonNullable<T>;
/** JSON query parameters (`search`) arrive parsed and validated, not as the text the generated types say. */
type ParsedQuery<Q> = 'search' extends keyof Q ? Omit<Q, 'search'> & { search?: components['schemas']['Search'] } : Q;

/** What the handler of operation `K` is given (distributes over a union of operations). */
export type OperationRequest<K extends OperationId> = K extends OperationId
  ? {
      params: OrEmpty<Op<K>['parameters']['path']>;
      query: ParsedQuery<OrEmpty<Op<K>['parameters']['query']>>;
      body: RequestBodyOf<K>;
      /** The body's media type, one of those the operation declares (the first when no body was sent). */
      mediaType: string;
      headers: Record<string, string | string[] | undefined>;
      caller: K extends PublicOperation ? undefined : Caller;
    }
  : never;

type StatusOf<K extends OperationId> = keyof Op<K>['responses'] & number;

export type ResponseBody<K extends OperationId, S extends StatusOf<K>> = BodyOf<Op<K>['responses'][S]>;

/**
 * A successful answer: the status and body (a value, or JSON text known to encode one, see
 * src/db/json-text.ts), and the version to send as ETag. Its media type is the one the spec
 * declares first for the status, or `mediaType`, one of the others, when the handler negotiated.
 */
type ReplyWith<S, B, M> = [B] extends [undefined]
  ? { status: S; etag?: number }
  : {
      status: S;
      body: B | Json<B>;
      etag?: number;
      mediaType?: M;
      /** A list's items (values or JSON text): src/api/links.ts links a full page to the next. */
      page?: readonly unknown[];
    };
export type Reply<K extends OperationId> = {
  [S in StatusOf<K>]: ReplyWith<S, ResponseBody<K, S>, MediaTypesOf<Op<K>['responses'][S]>>;
}[StatusOf<K>];

export type Handler<K extends OperationId> = (request: OperationRequest<K>, ctx: Koa.Context) => Reply<K> | Promise<Reply<K>>;
export type Handlers = { [K in OperationId]: Handler<K> };
