// Query strings, read with qs (as openapi-backend reads them): plain `name=value` pairs, which is
// what clients send, without it (it cost more than the rest of the request's parsing); anything
// qs treats specially (brackets, repeats, escapes in names) goes to qs itself.
// test/unit/dispatch.test.ts checks that the two read the same.
import { parse } from 'qs';

/** Names qs reads as they are: no brackets, escapes or '+' (and so no nesting or arrays). */
const PLAIN_NAME = /^[A-Za-z0-9_.~-]+$/;
const QS_PARAMETER_LIMIT = 1000;

export type Query = Record<string, unknown>;

export const parseQuery = (queryString: string): Query => plainQuery(queryString) ?? parse(queryString);

/**
 * `a=1&b=x%20y` as qs reads it, for strings with nothing qs treats specially: undefined when a
 * name is not plain, repeats, lacks its `=`, is one of Object's own properties (qs drops those),
 * or brackets appear anywhere. Values decode as qs decodes them.
 */
export function plainQuery(query: string): Record<string, string> | undefined {
  if (query === '') return {};
  if (query.includes('[') || query.includes(']') || /%5[bd]/i.test(query)) return undefined;
  const parts = query.split('&');
  if (parts.length > QS_PARAMETER_LIMIT) return undefined;
  const parsed: Record<string, string> = {};
  for (const part of parts) {
    const equals = part.indexOf('=');
    if (equals <= 0) return undefined;
    const name = part.slice(0, equals);
    if (!PLAIN_NAME.test(name) || Object.hasOwn(parsed, name) || name in Object.prototype) return undefined;
    parsed[name] = decodeQueryValue(part.slice(equals + 1));
  }
  return parsed;
}

/** As qs's decoder: '+' is a space, and a broken escape leaves the text as it is. */
function decodeQueryValue(raw: string): string {
  const value = raw.includes('+') ? raw.replace(/\+/g, ' ') : raw;
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
