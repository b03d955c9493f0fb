// Driver errors that mean something to the layers above, and the write conflict they retry on.

/** A UNIQUE or PRIMARY KEY constraint refused the write (SQLite or MySQL/MariaDB). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** A write found the row at another version than it read: the unit of work starts again. */
export class WriteConflict extends Error {}
