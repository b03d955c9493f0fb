// The Koa application: error rendering, JSON bodies, then openapi-backend. It never listens.
import Koa from 'koa';
import type OpenAPIBackend from 'openapi-backend';
import { renderErrors } from './http/render-errors';
import { bodyOf, jsonBody } from './http/json-body';

export function createApp(api: OpenAPIBackend, bodyLimitBytes: number): Koa {
  const app = new Koa();
  app.use(renderErrors(bodyLimitBytes));
  for (const middleware of jsonBody(bodyLimitBytes)) app.use(middleware);
  app.use(async (ctx) => {
    await api.handleRequest(
      { method: ctx.method, path: ctx.path, query: ctx.querystring, headers: ctx.headers as Record<string, string | string[]>, body: bodyOf(ctx) },
      ctx,
    );
  });
  return app;
}
