// Loops over many cases: check every case, then fail once with the list of every case that failed,
// instead of stopping at the first (which hides how many are broken, and which).
import { inspect, stripVTControlCharacters } from 'node:util';

/**
 * Runs `check` on every case in turn. A case fails when `check` throws: a failed `expect`, or any
 * error (a request the spec check refused, a fixture that could not be made). Once all have run,
 * one `expect` fails listing each failed case as `<name>: <what went wrong>`, on one line each.
 */
export async function checkEach<T>(
  cases: Iterable<T>,
  check: (item: T) => unknown,
  name: (item: T) => string = (item) => inspect(item, { breakLength: Infinity, depth: 3 }),
): Promise<void> {
  const failures: string[] = [];
  for (const item of cases) {
    try {
      await check(item);
    } catch (err) {
      failures.push(`${name(item)}: ${oneLine(err)}`);
    }
  }
  expect(failures).toEqual([]);
}

/** An error's message on one line, without the colours Jest's matchers put in it. */
function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return stripVTControlCharacters(message)
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}
