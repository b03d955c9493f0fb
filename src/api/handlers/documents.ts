// List, create, get, replace, update and delete work alike for the versioned kinds (jobs, actions,
// sessions) in both API versions: built here once per kind and named by the spec's operation ids
// (documentOperations). Replies that show or write a document carry its version as the ETag.
import type { Caller } from '../../domain/caller';
import type { Doc } from '../../domain/documents';
import { patchStyleOf } from '../../domain/merge';
import { jsonList } from '../../db/json-text';
import type { DocumentsRepo } from '../../db/repos/documents';
import { notFound } from '../../errors';
import type { Target, VersionedService } from '../../services/versioned';
import { expectedVersion } from '../if-match';
import { type ItemRequest, type ListRequest, deleteHandlers, found, pageOf, searchOf, withV1 } from './requests';

/** The document a request names (by its `idKey` path parameter), and the version its If-Match expects. */
export const targetOf = <I extends string>(request: ItemRequest<I>, idKey: I): Target => ({
  scope: request.caller,
  id: request.params[idKey],
  expected: expectedVersion(request.headers['if-match']),
});

/** `{ [idKey]: id, ...rest }`. TypeScript types a computed key as any string, so the type is stated here. */
const withId = <I extends string, R extends object>(idKey: I, id: string, rest: R) =>
  Object.assign({ [idKey]: id } as Record<I, string>, rest);

export function documentHandlers<T, I extends string, L extends string>(repo: DocumentsRepo<T, I, L>, service: VersionedService) {
  const { idKey, noun, table } = repo.kind;
  const write = async <S>(status: S, request: ItemRequest<I>, apply: (target: Target) => Promise<number>) => {
    const target = targetOf(request, idKey);
    const version = await apply(target);
    return { status, body: withId(idKey, target.id, { version }), etag: version };
  };

  const [remove, removeOr404] = deleteHandlers(noun, idKey, (request) => service.remove(targetOf(request, idKey)));

  return {
    list: async (request: ListRequest & { caller: Caller }) => {
      const page = found(await repo.list(request.caller, pageOf(request), searchOf(request)), request);
      return { status: 200 as const, body: jsonList(table, page), page };
    },

    create: async ({ caller, body }: { caller: Caller; body: Doc }) => ({
      status: 201 as const,
      body: withId(idKey, await service.create(caller, body), {}),
      etag: 1,
    }),

    get: async (request: ItemRequest<I>) => {
      const id = request.params[idKey];
      const document = await repo.findWire(request.caller, id);
      if (!document) throw notFound(`No ${noun} found with ID ${id}`);
      return { status: 200 as const, body: document.json, etag: document.version };
    },

    replace: (request: ItemRequest<I> & { body: Doc }) =>
      write(201 as const, request, (target) => service.replace(target, request.body)),

    update: (request: ItemRequest<I> & { body: Doc; mediaType: string }) =>
      write(200 as const, request, (target) => service.update(target, request.body, patchStyleOf(request.mediaType))),

    remove,
    removeOr404,
  };
}

type DocumentHandlers<T, I extends string, L extends string> = ReturnType<typeof documentHandlers<T, I, L>>;

/** A kind's handlers under the operation ids the spec gives them: `listJobs`, `getJobV1`, … */
export function documentOperations<N extends string, T, I extends string, L extends string>(
  kind: N,
  handlers: DocumentHandlers<T, I, L>,
) {
  return {
    ...withV1(`list${kind}s`, handlers.list),
    ...withV1(`create${kind}`, handlers.create),
    ...withV1(`get${kind}`, handlers.get),
    ...withV1(`replace${kind}`, handlers.replace),
    ...withV1(`update${kind}`, handlers.update),
    ...withV1(`delete${kind}`, handlers.remove, handlers.removeOr404),
  };
}
