// Recognises driver errors that mean something to the API.

/** A UNIQUE or PRIMARY KEY constraint refused the write (SQLite or MySQL/MariaDB). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
