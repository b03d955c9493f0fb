// List, get, replace, update and delete work alike for the versioned kinds (jobs, actions,
// sessions) in both API versions: built here once per kind, mapped onto operation ids in each
// kind's file. Every reply carries the document's version as its ETag.
import type { Caller } from '../../domain/caller';
import type { Doc } from '../../domain/documents';
import type { Json } from '../../db/json-text';
import type { DocumentsRepo } from '../../db/repos/documents';
import type { Search } from '../../db/search';
import { notFound } from '../../errors';
import type { Target, VersionedService } from '../../services/versioned';
import { expectedVersion } from '../if-match';
import { found, pageOf, searchOf } from './requests';

export interface DocumentKindHandlers<T, I extends string, L, W> {
  repo: DocumentsRepo<T>;
  service: VersionedService;
  /** The path parameter naming a document: `job_id`, `action_id`, `session_id`. */
  idKey: I;
  /** The list's body, such as `{"jobs": [...]}`. */
  listed(items: Json<T>[]): Json<L>;
  /** The answer to a write, such as `{"job_id": ..., "version": 2}`. */
  written(id: string, version: number): W;
}

export interface ItemRequest<I extends string> {
  params: Record<I, string>;
  headers: Record<string, string | string[] | undefined>;
  caller: Caller;
}

/** The document a request names (by its `idKey` path parameter), and the version its If-Match expects. */
export const targetOf = <I extends string>(request: ItemRequest<I>, idKey: I): Target => ({
  scope: request.caller,
  id: request.params[idKey],
  expected: expectedVersion(request.headers['if-match']),
});

interface ListRequest {
  query: { limit?: number; offset?: number; marker?: string; search?: Search };
  body: Search | undefined;
  caller: Caller;
}

export function documentHandlers<T, I extends string, L, W>(kind: DocumentKindHandlers<T, I, L, W>) {
  const { repo, service, idKey } = kind;
  const noun = repo.kind.noun;
  const write = async <S>(status: S, request: ItemRequest<I>, apply: (target: Target) => Promise<number>) => {
    const target = targetOf(request, idKey);
    const version = await apply(target);
    return { status, body: kind.written(target.id, version), etag: version };
  };

  return {
    async list(request: ListRequest) {
      const page = found(await repo.list(request.caller, pageOf(request), searchOf(request)), request);
      return { status: 200 as const, body: kind.listed(page) };
    },

    async get(request: ItemRequest<I>) {
      const id = request.params[idKey];
      const document = await repo.findWire(request.caller, id);
      if (!document) throw notFound(`No ${noun} found with ID ${id}`);
      return { status: 200 as const, body: document.json, etag: document.version };
    },

    replace: (request: ItemRequest<I> & { body: Doc }) => write(201 as const, request, (target) => service.replace(target, request.body)),

    update: (request: ItemRequest<I> & { body: Doc }) => write(200 as const, request, (target) => service.update(target, request.body)),

    /** v2 answers 204 whether or not there was a document, as the original and its tempest tests require. */
    async remove(request: ItemRequest<I>) {
      await service.remove(targetOf(request, idKey));
      return { status: 204 as const };
    },

    /** v1 answers 404 when there was nothing to delete. */
    async removeOr404(request: ItemRequest<I>) {
      const target = targetOf(request, idKey);
      if (!(await service.remove(target))) throw notFound(`No ${noun} found with ID ${target.id}`);
      return { status: 204 as const };
    },
  };
}
