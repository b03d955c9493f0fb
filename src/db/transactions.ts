// Runs a read-modify-write unit in one transaction, again from the start when another writer got
// there first (a WriteConflict, or a deadlock MySQL resolved by rolling us back).
import type { Knex } from 'knex';
import { WriteConflict } from './errors';

const ATTEMPTS = 20;

/** Another writer got there first: starting again is the answer. */
export function lostRace(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  // SQLite says SQLITE_BUSY_SNAPSHOT when another process wrote since this transaction's snapshot.
  return err instanceof WriteConflict || code === 'ER_LOCK_DEADLOCK' || code?.startsWith('SQLITE_BUSY') === true;
}

/**
 * Retries stop after ATTEMPTS or once `budgetMs` has passed since the first, whichever is first:
 * a write that keeps losing (or a lock another process holds) answers within the bound.
 */
export async function inTransaction<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>, budgetMs = Infinity): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let attempt = 1; ; attempt++) {
    try {
      // A fresh transaction each time: under REPEATABLE READ a retry must not see the old snapshot.
      return await db.transaction(work);
    } catch (err) {
      if (!lostRace(err) || attempt >= ATTEMPTS || Date.now() >= deadline) throw err;
      // Back off a little, more each time, so that racing writers stop meeting.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt));
    }
  }
}
