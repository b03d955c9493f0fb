// The Koa application: error rendering, authentication, JSON bodies, then openapi-backend. It never listens.
import Koa from 'koa';
import type OpenAPIBackend from 'openapi-backend';
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
  const takesBody = (ctx: Koa.Context) =>
    Boolean(api.router.matchOperation({ method: ctx.method, path: ctx.path, headers: {} }, false)?.requestBody);
  app.use(jsonBody(config.bodyLimitBytes, takesBody));
  app.use(async (ctx) => {
    await dispatch(
      api,
      { method: ctx.method, path: ctx.path, query: ctx.querystring, headers: ctx.headers as Record<string, string | string[]>, body: bodyOf(ctx) },
      ctx,
    );
  });
  return app;
}
