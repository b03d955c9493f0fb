// A failed command as the one line it prints (never a stack) and its exit code.
import { ConfigError } from '../config';
import { DatabaseOpenError, PendingMigrationsError } from '../db/connect';
import { describeFailure } from '../db/errors';
import type { Invocation } from './command-line';

/** It started and then failed: a migration, a copy. */
export const EXIT_FAILED = 1;
/** It could not start: the command line, a setting, the database, or its schema. */
export const EXIT_CANNOT_START = 2;

export function failureLine(command: Invocation['command'] | undefined, err: unknown): { line: string; exitCode: number } {
  const prefix =
    command === undefined ? 'freezer-api' : command === 'serve' ? 'freezer-api: cannot start' : `freezer-api ${command}`;
  // Everything serve does before it listens is starting; once listening, signals decide the exit.
  const exitCode = command === 'serve' || cannotStart(err) ? EXIT_CANNOT_START : EXIT_FAILED;
  return { line: `${prefix}: ${explain(err)}`, exitCode };
}

const cannotStart = (err: unknown) =>
  err instanceof ConfigError || err instanceof DatabaseOpenError || err instanceof PendingMigrationsError;

function explain(err: unknown): string {
  if (err instanceof DatabaseOpenError) return `cannot open the database ${err.message} (--database / FREEZER_API_DATABASE_URL)`;
  if (err instanceof PendingMigrationsError) {
    return `${err.message}, and migrating at start is off (--no-migrate / FREEZER_API_NO_MIGRATE): run \`freezer-api migrate latest\` first`;
  }
  if (err instanceof ConfigError) return err.message;
  return describeFailure(err);
}
