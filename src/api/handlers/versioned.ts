// List, get, replace, update and delete work alike for jobs, actions and sessions: this builds
// them once for a document kind. The resource files map their operations (v1 and v2) onto them.
import type Koa from 'koa';
import type { Knex } from 'knex';
import type { Doc, Documents } from '../../db/repos/documents';
import { combineSearches, type Search } from '../../db/search';
import type { ApiError } from '../../errors';
import type { CallerOf, Scope } from '../../identity';
import { type Expected, expectedVersion, setETag } from '../concurrency';
import { callerFor, pageOf, searchParam } from './common';
import type { Json } from '../../json';

/** The writes a resource's service provides. */
export interface VersionedService {
  replace(scope: Scope, id: string, body: Doc, expected: Expected): Promise<number>;
  update(scope: Scope, id: string, patch: Doc, expected: Expected): Promise<number>;
  remove(scope: Scope, id: string, expected: Expected): Promise<boolean>;
}

interface AnyContext {
  request: { params: object; query: object; requestBody?: unknown };
}

export function versionedHandlers(
  db: Knex,
  documents: Documents,
  idKey: string,
  notFound: (id: string) => ApiError,
  service: VersionedService,
  callerOf: CallerOf,
) {
  const idOf = (c: AnyContext) => (c.request.params as Record<string, string>)[idKey]!;
  const scopeOf = (c: AnyContext, ctx: Koa.Context) => callerFor(callerOf, c, ctx);
  const written = (ctx: Koa.Context, id: string, version: number) => {
    setETag(ctx, version);
    return { [idKey]: id, version };
  };

  return {
    async list(c: AnyContext, ctx: Koa.Context): Promise<Json<Doc>[]> {
      const search = combineSearches(c.request.requestBody as Search | undefined, searchParam(c));
      return documents.list(db, scopeOf(c, ctx), pageOf(c), search);
    },

    async get(c: AnyContext, ctx: Koa.Context): Promise<Json<Doc>> {
      const id = idOf(c);
      const found = await documents.findWire(db, scopeOf(c, ctx), id);
      if (!found) throw notFound(id);
      setETag(ctx, found.version);
      return found.json;
    },

    async replace(c: AnyContext, ctx: Koa.Context) {
      const id = idOf(c);
      const version = await service.replace(scopeOf(c, ctx), id, c.request.requestBody as Doc, expectedVersion(ctx));
      return written(ctx, id, version);
    },

    async update(c: AnyContext, ctx: Koa.Context) {
      const id = idOf(c);
      const version = await service.update(scopeOf(c, ctx), id, c.request.requestBody as Doc, expectedVersion(ctx));
      return written(ctx, id, version);
    },

    /** True when something was deleted: v2 answers 204 regardless, v1 answers 404 when not. */
    async remove(c: AnyContext, ctx: Koa.Context, v1: boolean): Promise<void> {
      const id = idOf(c);
      const deleted = await service.remove(scopeOf(c, ctx), id, expectedVersion(ctx));
      if (!deleted && v1) throw notFound(id);
      ctx.status = 204;
      ctx.body = null;
    },

    scopeOf,
    idOf,
  };
}
