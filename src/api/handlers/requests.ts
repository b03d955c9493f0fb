// What handlers share: a list request's page and search, GET and DELETE of one item by id, and
// one handler for an operation and its v1 twin.
import type { Caller } from '../../domain/caller';
import { DEFAULT_PAGE, type Page } from '../../db/paging';
import { type Search, type SearchTerms, searchTerms } from '../../domain/search';
import { badRequest, notFound } from '../../errors';

export interface ListRequest {
  /** Validated (and coerced to numbers) against the spec before a handler runs. */
  query: { limit?: number; offset?: number; marker?: string; search?: Search };
  body: Search | undefined;
}

export function pageOf({ query }: ListRequest): Page {
  return { limit: query.limit ?? DEFAULT_PAGE.limit, offset: query.offset ?? DEFAULT_PAGE.offset, marker: query.marker };
}

/** The search, checked: both ways of sending one (GET body, `search` query parameter) apply together. */
export const searchOf = ({ query, body }: ListRequest): SearchTerms | undefined => searchTerms(body, query.search);

/** A page a repository found, or the 400 for a marker that names none of the caller's items. */
export function found<T>(page: T[] | undefined, { query }: ListRequest): T[] {
  if (!page) throw badRequest(`marker "${query.marker}" is not the id of one of your items in this list`);
  return page;
}

/** A request naming one of the caller's items by its `idKey` path parameter. */
export interface ItemRequest<I extends string> {
  params: Record<I, string>;
  headers: Record<string, string | string[] | undefined>;
  caller: Caller;
}

/** GET of one item: 404 when the caller has none by that id. */
export function getHandler<I extends string, B>(
  noun: string,
  idKey: I,
  find: (caller: Caller, id: string) => Promise<B | undefined>,
) {
  return async ({ caller, params }: ItemRequest<I>) => {
    const item = await find(caller, params[idKey]);
    if (item === undefined) throw notFound(`No ${noun} found with ID ${params[idKey]}`);
    return { status: 200 as const, body: item };
  };
}

/**
 * DELETE in both versions: v2 answers 204 whether or not there was something to delete, as the
 * original and its tempest tests require; v1 answers 404 when there was nothing. `[v2, v1]`.
 */
export function deleteHandlers<I extends string>(noun: string, idKey: I, remove: (request: ItemRequest<I>) => Promise<boolean>) {
  const v2 = async (request: ItemRequest<I>) => {
    await remove(request);
    return { status: 204 as const };
  };
  const v1 = async (request: ItemRequest<I>) => {
    if (!(await remove(request))) throw notFound(`No ${noun} found with ID ${request.params[idKey]}`);
    return { status: 204 as const };
  };
  return [v2, v1] as const;
}

/**
 * The handlers of an operation and its v1 twin (`listJobs` and `listJobsV1`): one, or a v1 one of
 * its own. The spec makes twins equal but for the project (test/spec/v1-twins.test.ts).
 * TypeScript types computed keys as any string, so the result's type is stated here; the handler
 * map checks each entry against its operation.
 */
export function withV1<K extends string, H, V = H>(
  operationId: K,
  handler: H,
  v1Handler?: V,
): { [P in K]: H } & { [P in `${K}V1`]: V } {
  return { [operationId]: handler, [`${operationId}V1`]: v1Handler ?? handler } as { [P in K]: H } & { [P in `${K}V1`]: V };
}

/**
 * GET and DELETE of one unversioned item (a backup, a client) under the operation ids the spec
 * gives them (`getBackup`, `deleteBackupV1`, …).
 */
export function itemOperations<N extends string, I extends string, B>(
  kind: N,
  idKey: I,
  repo: { find(scope: Caller, id: string): Promise<B | undefined> },
  service: { remove(scope: Caller, id: string): Promise<boolean> },
) {
  const noun = kind.toLowerCase();
  const get = getHandler(noun, idKey, (caller, id) => repo.find(caller, id));
  const [deleteV2, deleteV1] = deleteHandlers(noun, idKey, ({ caller, params }) => service.remove(caller, params[idKey]));
  return { ...withV1(`get${kind}`, get), ...withV1(`delete${kind}`, deleteV2, deleteV1) };
}
