// Content negotiation: a request whose Accept header allows none of its operation's media types
// gets 406 before any work is done.
import type Koa from 'koa';
import { ApiError } from '../errors';

/** `successTypes`: what the operation answers with on success, in spec order. */
export function requireAcceptable(ctx: Koa.Context, successTypes: string[]): void {
  if (!ctx.get('accept')) return;
  // An operation whose success has no body (204) can still answer with a JSON error.
  const types = successTypes.length ? successTypes : ['application/json'];
  // JSON dialects such as application/json-home are JSON too: a client accepting JSON gets them.
  const jsonDialect = types.some((t) => t !== 'application/json' && /[/+]json(-home)?$/.test(t));
  if (ctx.accepts(jsonDialect ? [...types, 'application/json'] : types)) return;
  throw new ApiError(406, `This operation answers with ${types.join(' or ')}, which the Accept header does not allow.`);
}
