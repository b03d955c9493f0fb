// Small facts about stored documents (jobs, actions, sessions) that the services share.
import { isDeepStrictEqual } from 'node:util';

export type Doc = Record<string, unknown>;

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The body without the given keys (the fields the server owns). */
export function withoutKeys(body: object, keys: string[]): Doc {
  const doc: Doc = { ...(body as Doc) };
  for (const key of keys) delete doc[key];
  return doc;
}

/** Same JSON value, whatever the key order (what "unchanged" means for stored documents). */
export const sameJson = (a: unknown, b: unknown) => isDeepStrictEqual(canonical(a), canonical(b));

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}
