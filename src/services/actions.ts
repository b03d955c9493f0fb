// Actions: reusable agent steps. Also used by jobs, whose every step is stored as an action.
import type { Scope } from '../domain/caller';
import { type Doc, sameJson, withoutKeys } from '../domain/documents';
import { patchDocument } from '../domain/merge';
import { newId } from '../db/ids';
import { type Stored, serverOwned } from '../db/repos/documents';
import { ACTION } from '../db/repos/kinds';
import type { Store, Tx } from '../db/store';
import { conflict } from '../errors';
import { type VersionedService, versionedWrites } from './versioned';

const OWNED = serverOwned(ACTION);

export type ActionsService = ReturnType<typeof createActionsService>;

export function createActionsService(store: Store) {
  const { actions } = store;
  const writes = versionedWrites(store, actions);

  const service = {
    /** Stores a new action under the body's `action_id`, or a new one; 409 when that id is taken. */
    async create(scope: Scope, body: Doc): Promise<string> {
      const id = typeof body.action_id === 'string' ? body.action_id : newId();
      if (!(await actions.insert(scope, id, withoutKeys(body, OWNED)))) {
        throw conflict(`Action already registered with ID ${id}`);
      }
      return id;
    },

    replace: (target, body) => store.transaction((trx) => writes.replace(target, () => withoutKeys(body, OWNED), { trx })),

    /** The schema keeps `freezer_action` from being deleted by a merge patch. */
    update: (target, body, style) => writes.patch(target, (found) => patchDocument(found.doc, withoutKeys(body, OWNED), style)),

    remove: (target) => store.transaction(async (trx) => (await writes.remove(target, { trx })) !== undefined),

    /**
     * Stores each job step as an action and stamps the step with its `action_id`, `user_id` and
     * `project_id`, as the original does. A step naming an action it matches leaves it alone; one
     * that names an existing action but differs from it becomes a new action with a new id (the
     * original set the id to '' and then failed validation).
     */
    async storeJobSteps(scope: Scope, steps: Doc[], tx: Tx): Promise<Doc[]> {
      const stamped: Doc[] = [];
      for (const step of steps) {
        const doc = withoutKeys(step, OWNED);
        const named = typeof step.action_id === 'string' ? step.action_id : undefined;
        let id = named ?? newId();
        const existing: Stored | undefined = named ? await actions.find(scope, named, tx) : undefined;
        if (!existing || !sameJson(existing.doc, doc)) {
          if (existing) id = newId();
          if (!(await actions.insert(scope, id, doc, tx))) {
            id = newId(); // a step's id that clashes is the step's problem, not the job's
            await actions.insert(scope, id, doc, tx);
          }
        }
        stamped.push({ ...doc, action_id: id, user_id: scope.userId, project_id: scope.projectId || null });
      }
      return stamped;
    },
  } satisfies VersionedService & Record<string, unknown>;
  return service;
}
