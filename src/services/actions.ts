// Actions: reusable agent steps. Also used by jobs, whose every step is stored as an action.
import type { Knex } from 'knex';
import { type Doc, type Stored, serverOwned } from '../db/repos/documents';
import { ACTION, actions } from '../db/repos/kinds';
import { newId } from '../db/ids';
import { conflict, notFound } from '../errors';
import type { Scope } from '../identity';
import type { Expected } from '../api/concurrency';
import { deepMerge } from '../domain/merge';
import { inTransaction } from '../db/transactions';
import { patch, put, removeIfPresent, sameJson, withoutKeys } from './documents';

const OWNED = serverOwned(ACTION);
const missing = (id: string) => notFound(`No action found with ID ${id}`);

export function actionService(db: Knex) {
  return {
    async create(scope: Scope, body: Doc): Promise<{ id: string; version: number }> {
      const id = typeof body.action_id === 'string' ? body.action_id : newId();
      if (!(await actions.insert(db, scope, id, withoutKeys(body, OWNED)))) {
        throw conflict(`Action already registered with ID ${id}`);
      }
      return { id, version: 1 };
    },

    /** Create-or-replace under `id`; returns the new version. */
    replace(scope: Scope, id: string, body: Doc, expected: Expected): Promise<number> {
      return inTransaction(db, (trx) => put(trx, actions, scope, id, expected, () => withoutKeys(body, OWNED)));
    },

    /** True when there was such an action. */
    remove(scope: Scope, id: string, expected: Expected): Promise<boolean> {
      return inTransaction(db, async (trx) => (await removeIfPresent(trx, actions, scope, id, expected)) !== undefined);
    },

    update(scope: Scope, id: string, body: Doc, expected: Expected): Promise<number> {
      return patch(db, actions, scope, id, expected, (_q, current) => deepMerge(current.doc, withoutKeys(body, OWNED)));
    },
  };
}

/**
 * Stores each job step as an action and stamps the step with its `action_id`, `user_id` and
 * `project_id`, as the original does. A step naming an action it matches leaves it alone; one
 * that names an existing action but differs from it becomes a new action with a new id (the
 * original set the id to '' and then failed validation).
 */
export async function upsertJobSteps(trx: Knex, scope: Scope, steps: Doc[]): Promise<Doc[]> {
  const stamped: Doc[] = [];
  for (const step of steps) {
    const doc = withoutKeys(step, OWNED);
    const named = typeof step.action_id === 'string' ? step.action_id : undefined;
    let id = named ?? newId();
    const existing: Stored | undefined = named ? await actions.find(trx, scope, named) : undefined;
    if (!existing || !sameJson(existing.doc, doc)) {
      if (existing) id = newId();
      if (!(await actions.insert(trx, scope, id, doc))) {
        id = newId(); // a step's id that clashes is the step's problem, not the job's
        await actions.insert(trx, scope, id, doc);
      }
    }
    stamped.push({ ...doc, action_id: id, user_id: scope.userId, project_id: scope.projectId || null });
  }
  return stamped;
}

export { missing as actionNotFound };
