// Asymmetric matchers Jest lacks, for use inside toEqual/toMatchObject so a failure prints the value.

/** A string that starts with `prefix` (taken literally). */
export const startingWith = (prefix: string) =>
  expect.stringMatching(new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

/** A 5xx description: `description`, then the request id the user can quote. */
export const withRequestId = (description: string) =>
  expect.stringMatching(
    new RegExp(
      `^${description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(request req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\\)$`,
    ),
  );
