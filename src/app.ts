// The Koa application: error rendering, authentication, JSON bodies, then openapi-backend. It never listens.
import Koa from 'koa';
import type OpenAPIBackend from 'openapi-backend';
import type { Operation } from 'openapi-backend';
import { KeystoneValidator } from './auth/keystone';
import type { Config } from './config';
import { renderErrors } from './http/render-errors';
import { bodyOf, jsonBody } from './http/json-body';
import { authenticate } from './identity';
import { dispatch } from './api/backend';

export function createApp(api: OpenAPIBackend, config: Pick<Config, 'bodyLimitBytes' | 'auth'>): Koa {
  const app = new Koa();
  app.use(renderErrors(config.bodyLimitBytes));
  if (config.auth.mode === 'keystone') {
    app.use(authenticate(new KeystoneValidator(config.auth.keystone), config.auth.keystone.url));
  }
  // Matched once: the body parser needs to know whether the operation takes a body.
  const operationOf = (ctx: Koa.Context): Operation | undefined => {
    if (!('operation' in ctx.state)) ctx.state.operation = api.router.matchOperation({ method: ctx.method, path: ctx.path, headers: {} });
    return ctx.state.operation as Operation | undefined;
  };
  app.use(jsonBody(config.bodyLimitBytes, (ctx) => Boolean(operationOf(ctx)?.requestBody)));
  app.use(async (ctx) => {
    await dispatch(
      api,
      { method: ctx.method, path: ctx.path, query: ctx.querystring, headers: ctx.headers as Record<string, string | string[]>, body: bodyOf(ctx) },
      ctx,
      operationOf(ctx),
    );
  });
  return app;
}
