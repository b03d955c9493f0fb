// Stored documents are JSON text already. Responses that return them splice that text in as it
// is, instead of parsing it into objects only for Koa to serialise them again: on a page of ten
// backups that round trip was the largest cost the server controlled (docs/PERFORMANCE.md).

declare const encodes: unique symbol;

/** JSON text known to encode a value of type T. */
export type Json<T> = string & { readonly [encodes]?: T };

/** Serialised members of `value`, without the braces: `"a":1,"b":2`. */
export const membersOf = (value: object): string => JSON.stringify(value).slice(1, -1);

/** The members of a stored JSON object, without the braces ('' for an empty object). */
export const storedMembers = (storedObject: string): string => storedObject.trim().slice(1, -1).trim();

/** One member whose value is stored JSON text. */
export const storedMember = (name: string, storedValue: string): string => `${JSON.stringify(name)}:${storedValue}`;

/** An object of the given member lists, in order (empty lists are skipped). Per row of every
 * page, so a plain loop rather than filter and join. */
export function jsonObject<T>(...memberLists: string[]): Json<T> {
  let members = '';
  for (const list of memberLists) {
    if (list !== '') members = members === '' ? list : `${members},${list}`;
  }
  return `{${members}}` as Json<T>;
}

/** An object with one member holding the given items: `{"backups":[…]}`. */
export const jsonList = <K extends string, T>(name: K, items: Json<T>[]): Json<{ [P in K]: T[] }> =>
  `{${JSON.stringify(name)}:[${items.join(',')}]}` as Json<{ [P in K]: T[] }>;
