// One log line per request, when its handling ends: who asked for which operation, and what it
// got. The fields are the request's metadata only: never a header's value, a token or a body.
import type Koa from 'koa';
import type { Route } from '../api/dispatch';
import type { Caller } from '../domain/caller';
import type { Logger } from '../log';
import { requestIdOf } from './request-id';

export interface RequestLog {
  /** `route` and `caller` as far as the request got (a 404 has neither). */
  ended(ctx: Koa.Context, route: Route | undefined, caller: Caller | undefined, durationMs: number): void;
  /** A request answered before it reached the app (src/http/protocol.ts). */
  refused(method: string | undefined, path: string | undefined, status: number, requestId: string): void;
}

export function createRequestLog(logger: Logger): RequestLog {
  return {
    ended(ctx, route, caller, durationMs) {
      if (!logger.isLevelEnabled('info')) return;
      const status = ctx.status;
      logger.info(
        {
          request_id: requestIdOf(ctx.req),
          method: ctx.method,
          path: ctx.path,
          route: route?.template,
          operation_id: route?.operationId,
          status,
          duration_ms: Math.round(durationMs * 1000) / 1000,
          user_id: caller?.userId,
          project_id: caller?.projectId,
        },
        `${ctx.method} ${route?.template ?? ctx.path} ${status}`,
      );
    },
    refused(method, path, status, requestId) {
      logger.info(
        { request_id: requestId, method, path, status },
        `${method ?? '-'} ${path ?? '-'} ${status} (refused by the HTTP layer)`,
      );
    },
  };
}
