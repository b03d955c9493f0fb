// Optimistic concurrency: a write may name the version it expects the resource to be at
// (If-Match over HTTP, see src/api/if-match.ts); a stale expectation changes nothing.
import { ApiError } from '../errors';

/** What the client expects: a version, any version (`*`), or nothing. */
export type Expected = number | '*' | undefined;

/** Throws 412 unless the resource (at `current`, undefined when missing) is what was expected. */
export function checkExpected(noun: string, expected: Expected, current: number | undefined): void {
  if (expected === undefined) return;
  if (current === undefined) {
    throw new ApiError(412, `If-Match was given, but there is no such ${noun}.`);
  }
  if (expected !== '*' && expected !== current) {
    throw new ApiError(
      412,
      `The ${noun} was changed since version ${expected} (it is at version ${current}); read it again and retry.`,
    );
  }
}
