// Asymmetric matchers Jest lacks, for use inside toEqual/toMatchObject so a failure prints the value.

/** A string that starts with `prefix` (taken literally). */
export const startingWith = (prefix: string) =>
  expect.stringMatching(new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
