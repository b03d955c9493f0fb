// Types for status-recipes.js (plain CommonJS so that Dredd's hooks can `require` it unbuilt).

export type Headers = Record<string, string>;

/** A request as the recipes see it: `path` with its query string, `body` the JSON text if any. */
export interface RecipeRequest {
  method: string;
  path: string;
  headers: Headers;
  body?: string;
}

/** The caller's HTTP: sends `body` (a value, as JSON) and resolves with the status and parsed answer. */
export type Send = (method: string, path: string, body: unknown, headers: Headers) => Promise<{ status: number; body?: unknown }>;

export interface RecipeContext {
  /** The spec's path, e.g. `/v2/{project_id}/jobs/{job_id}/event`. */
  template: string;
  /** Its last segment (`jobs` for a list or create). */
  collection: string;
  /** POSTs `body` as the request's user; rejects unless the answer is 201. Resolves with the answer. */
  post(path: string, body: unknown, what?: string): Promise<unknown>;
  /** The caller's own HTTP (see `prepare`), to make items as someone else. */
  send(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: unknown }>;
  /** The request's user. */
  user: { 'X-User-Id': string };
}

export type ServerNeeded =
  'keystone-unreachable' | 'keystone' | 'database-gone' | 'database-broken' | 'impatient' | 'metrics-token' | 'metrics-elsewhere';

/** The client the spec's job examples name. */
export declare const EXAMPLE_CLIENT: string;

/** How to make one item of each kind, keyed by the path parameter that names it. */
export declare const FIXTURES: Record<string, { collection: string; body: Record<string, unknown> }>;

/** Per status, what to change in a request that would succeed so that it answers that status. */
export declare const BREAK: Record<number, (request: RecipeRequest, context: RecipeContext) => void | Promise<void>>;

/** The server a status needs when not the ordinary noauth one (undefined: the ordinary one). */
export declare function serverNeeded(status: number, template: string): ServerNeeded | undefined;

/**
 * Turns the example request of the operation at `template` into one that answers `status`, making
 * the items it needs with `send`. `listed`: the answer must list an item (see `showsItem`).
 */
export declare function prepare(
  send: Send,
  options: { template: string; status: number; request: RecipeRequest; userPrefix?: string },
): Promise<{ request: RecipeRequest; listed: boolean }>;

/** True when a list answer shows at least one item. */
export declare function showsItem(body: unknown): boolean;

/** Sets a header, replacing any of the same name in another case. */
export declare function setHeader(headers: Headers, name: string, value: string): void;

/** `operation.path` with `project` and the spec's example for the other path parameters that have one. */
export declare function examplePath(operation: { path: string; parameters?: unknown[] }, project: string): string;
