// Handler types derived from the generated spec types: a handler can only read the parameters and
// body its operation declares, and only reply with a status and body that operation declares.
import type Koa from 'koa';
import type { Context } from 'openapi-backend';
import type { operations } from '../../generated/openapi';
import type { Json } from '../json';

export type OperationId = keyof operations;
type Op<K extends OperationId> = operations[K];

/** The body schema of a request or response, whatever its single media type. */
type BodyOf<T> = T extends { content: infer C } ? C[keyof C] : undefined;
/** The request body of an operation; undefined for operations that take none. */
type RequestBodyOf<K extends OperationId> = [NonNullable<Op<K>['requestBody']>] extends [never]
  ? undefined
  : BodyOf<NonNullable<Op<K>['requestBody']>>;
/** openapi-backend wants an object type where an operation declares no parameters. */
type OrEmpty<T> = [NonNullable<T>] extends [never] ? Record<string, never> : NonNullable<T>;

/** The openapi-backend context of one operation (distributes over a union of operations). */
export type Ctx<K extends OperationId> = K extends OperationId
  ? Context<
      RequestBodyOf<K>,
      OrEmpty<Op<K>['parameters']['path']>,
      OrEmpty<Op<K>['parameters']['query']>
    >
  : never;

type StatusOf<K extends OperationId> = keyof Op<K>['responses'] & number;
export type ResponseBody<K extends OperationId, S extends StatusOf<K>> = BodyOf<Op<K>['responses'][S]>;

export type Handler<K extends OperationId> = (c: Ctx<K>, ctx: Koa.Context) => Promise<void> | void;
export type Handlers = { [K in OperationId]: Handler<K> };

/** Sends one of the responses operation `K` declares. */
export function reply<K extends OperationId, S extends StatusOf<K>>(
  ctx: Koa.Context,
  _operation: K,
  status: S,
  body: ResponseBody<K, S>,
): void {
  ctx.status = status;
  ctx.body = body;
}

/** Sends one of the responses operation `K` declares, already serialised (see src/json.ts). */
export function replyJson<K extends OperationId, S extends StatusOf<K>>(
  ctx: Koa.Context,
  _operation: K,
  status: S,
  body: Json<ResponseBody<K, S>>,
): void {
  ctx.status = status;
  ctx.type = 'application/json'; // before the body, or Koa would call a string text/plain
  ctx.body = body;
}

/** Sends an empty 204, for operations that declare one. */
export function noContent(ctx: Koa.Context): void {
  ctx.status = 204;
  ctx.body = null;
}
