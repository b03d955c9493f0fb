// The If-Match header: the version a write expects (src/domain/versions.ts). Versions leave as
// ETags, set by the dispatcher from a reply's `etag`.
import type { Expected } from '../domain/versions';
import { badRequest } from '../errors';

export function expectedVersion(header: string | string[] | undefined): Expected {
  const value = (Array.isArray(header) ? header[0] : header)?.trim() ?? '';
  if (value === '') return undefined;
  if (value === '*') return '*';
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(value);
  if (!match) throw badRequest(`header If-Match must be an ETag such as "3", not ${value.slice(0, 40)}`);
  return Number(match[1]);
}
