// PATCH merge. Two states per key: if both sides hold plain objects, merge them recursively;
// otherwise the patch value (scalar, array or null) replaces the base value. An undefined patch
// value means "not given" and leaves the base alone.
//
// Keys are written as own data properties and base values are read only when they are own, so a
// JSON patch carrying "__proto__" or "constructor" is stored as data and can neither change an
// object's prototype nor pollute Object.prototype.

type Obj = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Obj => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** Returns a new object and never mutates; untouched nested values are shared with the inputs. */
export function deepMerge<T extends Record<string, unknown>>(base: T, patch: Record<string, unknown>): T {
  const out: Obj = { ...base }; // spread copies own keys as data, "__proto__" included
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const current = Object.hasOwn(out, key) ? out[key] : undefined;
    const merged = isPlainObject(value) ? deepMerge(isPlainObject(current) ? current : {}, value) : value;
    Object.defineProperty(out, key, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  return out as T;
}
