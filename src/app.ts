// The Koa application: every request goes through the same steps, in this order, and the first
// that fails answers with the spec's Error body (src/http/render-errors.ts). It never listens (src/server.ts).
//   1. its operation, from the spec's route table (404, 405 with Allow; HEAD as GET; OPTIONS
//      answered here with Allow, and a CORS preflight's headers);
//   2. its caller, for every operation the spec secures (400 for bad identity headers; in keystone
//      mode 401, 403 or 503);
//   3. the policy rule the spec names for it (`x-policy`): 403 unless the caller satisfies it on
//      the target project (the v2 URL's; for v1 the caller's own);
//   4. its JSON body, for operations that take one, and its media type (413, 415, 400 Malformed JSON);
//   5. content negotiation (406);
//   6. its parameters and body validated against the spec (400);
//   7. the operation's handler, whose reply is sent with the media type the spec declares, and
//      Location (201) or Link (a full page) from src/api/links.ts.
import Koa from 'koa';
import type { Auth } from './auth/caller';
import type { Policy } from './auth/policy';
import type { Dispatcher, Route } from './api/dispatch';
import type { ReplyLinks } from './api/links';
import type { Handlers } from './api/types';
import type { Caller } from './domain/caller';
import { ApiError } from './errors';
import { requireAcceptable } from './http/accept';
import type { Cors } from './http/cors';
import type { FailureLog } from './http/failure-log';
import { createBodyReader } from './http/json-body';
import { createErrorRenderer } from './http/render-errors';
import type { RequestLog } from './http/request-log';
import type { Metrics } from './metrics';
import type { RunningHandlers } from './http/drain';

export interface AppParts {
  dispatcher: Dispatcher;
  auth: Auth;
  policy: Policy;
  handlers: Handlers;
  bodyLimitBytes: number;
  /** Where 5xx answers are logged, with their cause. */
  failures: FailureLog;
  /** Told when each request's handling starts and ends: a shutdown waits for those running. */
  running: RunningHandlers;
  /** Told when each request's handling ends, with its status set. */
  requests: RequestLog;
  metrics: Metrics;
  links: ReplyLinks;
  /** Set when CORS is on: answers preflights. */
  cors: Cors | undefined;
}

/** A handler as the dispatcher calls it: with the request as validated against its operation. */
type Dispatched = (
  request: { params: object; query: object; headers: object; body: unknown; mediaType: string; caller: Caller | undefined },
  ctx: Koa.Context,
) => Promise<SentReply> | SentReply;
interface SentReply {
  status: number;
  body?: unknown;
  etag?: number;
  /** For a status the spec gives several media types: the one negotiated. */
  mediaType?: string;
  page?: readonly unknown[];
}

const NO_BODY = { body: undefined, mediaType: undefined };

export function createApp(parts: AppParts): Koa {
  const { dispatcher, auth, policy, handlers, bodyLimitBytes, failures, running, requests, metrics, links, cors } = parts;
  // Handlers[K] takes OperationRequest<K>; the validator has just checked the request against
  // operation K's schemas, which is exactly what that type says. This is where the two meet.
  const handlerOf = new Map<Route, Dispatched>();
  for (const route of dispatcher.routes) {
    const handler = handlers[route.operationId] as unknown as Dispatched | undefined;
    if (!handler) throw new Error(`no handler for operation ${route.operationId} (is generated/ stale?)`);
    if (route.policy !== undefined && !policy.has(route.policy)) {
      throw new Error(`operation ${route.operationId} names an unknown policy rule "${route.policy}"`);
    }
    handlerOf.set(route, handler);
  }
  const readBody = createBodyReader(bodyLimitBytes);

  const renderError = createErrorRenderer(bodyLimitBytes, failures);

  const app = new Koa();
  // One middleware for everything: each level of Koa middleware costs promises on every request.
  app.use(async (ctx) => {
    const startedMs = performance.now();
    running.started();
    let route: Route | undefined;
    let caller: Caller | undefined;
    try {
      const match = dispatcher.match(ctx.method, ctx.path);
      if (match.kind === 'notFound') throw new ApiError(404, `No resource at ${ctx.method.toUpperCase()} ${ctx.path}`);
      if (match.kind === 'options') {
        ctx.status = 204;
        ctx.set('Allow', match.allow.join(', '));
        cors?.preflight(ctx, match.allow);
        return;
      }
      if (match.kind === 'methodNotAllowed') {
        const allow = match.allow.join(', ');
        throw new ApiError(405, `${ctx.path} answers ${allow}, not ${ctx.method.toUpperCase()}`, { headers: { Allow: allow } });
      }
      route = match.route;
      const { params } = match;
      caller = route.secured ? await auth.callerOf(ctx, params.project_id) : undefined;
      if (route.policy !== undefined) {
        if (!caller) throw new Error(`operation ${route.operationId} has a policy rule but no caller`);
        policy.enforce(route.policy, caller, params.project_id ?? caller.credentialProjectId);
      }
      const { body, mediaType } = route.takesBody ? await readBody(ctx, route.consumes) : NO_BODY;
      if (!route.lenientAccept) requireAcceptable(ctx, route.produces);
      const request = dispatcher.prepare(route, { params, queryString: ctx.querystring, headers: ctx.headers, body, mediaType });
      const reply = await handlerOf.get(route)!(Object.assign(request, { caller }), ctx);
      send(ctx, route, reply);
      links.add(ctx, route, request, reply);
    } catch (err) {
      renderError(ctx, err);
    } finally {
      running.ended();
      const durationMs = performance.now() - startedMs;
      requests.ended(ctx, route, caller, durationMs);
      metrics.requestEnded(route?.operationId, ctx.status, durationMs);
    }
  });
  return app;
}

/** The status, the version as ETag, and the body with its media type from the spec. */
function send(ctx: Koa.Context, route: Route, reply: SentReply): void {
  ctx.status = reply.status;
  if (reply.etag !== undefined) ctx.set('ETag', `"${reply.etag}"`);
  const mediaType = reply.mediaType ?? route.mediaTypes.get(reply.status);
  if (mediaType === undefined) {
    // A body of null makes Koa answer 204 whatever the status; a HEAD's 503 has no body either.
    if (reply.status === 204) ctx.body = null;
    return;
  }
  ctx.type = mediaType; // before the body, or Koa would call JSON text text/plain
  ctx.body = reply.body;
}
