// The two ways a PATCH body changes a stored document, by its media type:
//   application/json: each top-level key of the body replaces the stored value whole (as the
//     original's SQL PATCH does; the web UI's edit forms rely on it to remove what they leave out);
//   application/merge-patch+json: RFC 7386 JSON Merge Patch (objects merge recursively, null
//     deletes a key, anything else replaces).
//
// Keys are written as own data properties and base values are read only when they are own, so a
// JSON patch carrying "__proto__" or "constructor" is stored as data and can neither change an
// object's prototype nor pollute Object.prototype.

type Obj = Record<string, unknown>;

export type PatchStyle = 'top-level' | 'merge-patch';

export const MERGE_PATCH = 'application/merge-patch+json';

/** The style of a PATCH body sent with this media type (one the spec declares). */
export const patchStyleOf = (mediaType: string): PatchStyle => (mediaType === MERGE_PATCH ? 'merge-patch' : 'top-level');

export const isPlainObject = (v: unknown): v is Obj => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

const setOwn = (obj: Obj, key: string, value: unknown) =>
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });

/** The document after a PATCH of `changes` in `style`. */
export const patchDocument = <T extends Obj>(doc: T, changes: Obj, style: PatchStyle): T =>
  style === 'merge-patch' ? (mergePatch(doc, changes) as T) : replaceKeys(doc, changes);

/** Each key of `patch` replaces the base's value whole; an undefined value means "not given". Never mutates. */
export function replaceKeys<T extends Obj>(base: T, patch: Obj): T {
  const out: Obj = { ...base }; // spread copies own keys as data, "__proto__" included
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) setOwn(out, key, value);
  }
  return out as T;
}

/**
 * RFC 7386 MergePatch(target, patch): a patch that is not an object replaces the target; an
 * object patch merges into the target (or into {} when the target is not an object), its null
 * values deleting keys. Returns new objects and never mutates; untouched values are shared.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Obj = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue; // not JSON: "not given"
    if (value === null) delete out[key];
    else setOwn(out, key, mergePatch(Object.hasOwn(out, key) ? out[key] : undefined, value));
  }
  return out;
}
