// Jobs: validation beyond the schema (registered client, its capabilities), the steps stored as
// actions, create/replace/update/event/delete, each atomic: one transaction, or for an update
// that writes the job's row alone, one conditional UPDATE (see `patch`).
import type { Knex } from 'knex';
import { type Doc, type Stored, serverOwned } from '../db/repos/documents';
import { JOB, jobs, sessions } from '../db/repos/kinds';
import { ClientsRepo } from '../db/repos/clients';
import { newId } from '../db/ids';
import { inTransaction } from '../db/transactions';
import { badRequest, notFound, unprocessable } from '../errors';
import type { Scope } from '../identity';
import type { Expected } from '../api/concurrency';
import { type JobEventName, applyJobEvent } from '../domain/job-events';
import { checkCapabilities } from '../domain/capabilities';
import { deepMerge } from '../domain/merge';
import { upsertJobSteps } from './actions';
import { existing, nowSeconds, patch, put, removeIfPresent, sameJson, withoutKeys } from './documents';

const OWNED = serverOwned(JOB);
const TIME_FIELDS = ['time_created', 'time_started', 'time_ended'] as const;
export const jobNotFound = (id: string) => notFound(`No job found with ID ${id}`);

export function jobService(db: Knex) {
  const clients = new ClientsRepo(db);

  /** Checks a complete job and stores its steps as actions; returns the document to store. */
  async function prepare(trx: Knex, scope: Scope, doc: Doc): Promise<Doc> {
    const steps = doc.job_actions as Doc[] | undefined;
    if (steps === undefined && doc.job_action === undefined) {
      throw badRequest("a job needs 'job_actions' (or the v1 document's 'job_action')");
    }
    const clientId = String(doc.client_id);
    const client = await clients.find(scope, clientId, trx);
    if (!client) throw unprocessable(`Client not found with ID ${clientId}`);
    const freezerActions = [
      ...(steps ?? []).map((step) => step.freezer_action),
      ...(doc.job_action === undefined ? [] : [doc.job_action]),
    ];
    if (freezerActions.some((fa) => fa === undefined)) {
      throw badRequest("every job action needs a 'freezer_action'");
    }
    checkCapabilities(clientId, client.client, freezerActions as Record<string, unknown>[]);
    return steps === undefined ? doc : { ...doc, job_actions: await upsertJobSteps(trx, scope, steps) };
  }

  return {
    async create(scope: Scope, body: Doc): Promise<string> {
      const id = newId();
      const schedule = { ...(body.job_schedule as Doc | undefined), time_created: nowSeconds(), time_started: -1, time_ended: -1 };
      await inTransaction(db, async (trx) => {
        const doc = await prepare(trx, scope, { session_id: '', session_tag: 0, ...fromBody(body), job_schedule: schedule });
        await jobs.insert(trx, scope, id, doc);
      });
      return id;
    },

    /** Create-or-replace; what the body leaves out of the schedule's times and the session stays. */
    replace(scope: Scope, id: string, body: Doc, expected: Expected): Promise<number> {
      return inTransaction(db, (trx) =>
        put(trx, jobs, scope, id, expected, (current) => {
          const before = current?.doc ?? {};
          const beforeSchedule = (before.job_schedule ?? { time_created: nowSeconds(), time_started: -1, time_ended: -1 }) as Doc;
          const kept = Object.fromEntries(TIME_FIELDS.filter((f) => f in beforeSchedule).map((f) => [f, beforeSchedule[f]]));
          return prepare(trx, scope, {
            session_id: before.session_id ?? '',
            session_tag: before.session_tag ?? 0,
            ...fromBody(body),
            job_schedule: { ...kept, ...(body.job_schedule as Doc | undefined) },
          });
        }),
      );
    },

    update(scope: Scope, id: string, body: Doc, expected: Expected): Promise<number> {
      const changes = fromBody(body);
      // Steps and the client are checked again (and the steps stored as actions) only when they
      // change, so that a scheduler reporting status is not refused because its registration
      // changed meanwhile, and its report writes the job's row alone.
      const changesSteps = (current: Stored) =>
        (['job_actions', 'job_action', 'client_id'] as const).some((key) => key in changes && !sameJson(changes[key], current.doc[key]));
      return patch(
        db, jobs, scope, id, expected,
        (q, current) => (changesSteps(current) ? prepare(q, scope, deepMerge(current.doc, changes)) : deepMerge(current.doc, changes)),
        (current) => !changesSteps(current),
      );
    },

    event(scope: Scope, id: string, event: JobEventName, expected: Expected): Promise<string> {
      return inTransaction(db, async (trx) => {
        const current = await existing(trx, jobs, scope, id, expected);
        const outcome = applyJobEvent((current.doc.job_schedule ?? {}) as Doc, event);
        if (outcome.changed) {
          await jobs.update(trx, scope, id, current, { ...current.doc, job_schedule: outcome.schedule });
        }
        return outcome.result;
      });
    },

    /** Deletes the job and takes it out of its session; true when there was one. */
    remove(scope: Scope, id: string, expected: Expected): Promise<boolean> {
      return inTransaction(db, async (trx) => {
        const removed = await removeIfPresent(trx, jobs, scope, id, expected);
        const sessionId = removed?.doc.session_id;
        if (typeof sessionId === 'string' && sessionId) await dropFromSession(trx, scope, sessionId, id);
        return removed !== undefined;
      });
    },
  };
}

/** The body as a document: server-owned fields dropped, `action_defaults` spread into the steps. */
function fromBody(body: Doc): Doc {
  const { action_defaults: defaults, ...doc } = withoutKeys(body, OWNED);
  if (defaults === undefined || !Array.isArray(doc.job_actions)) return doc;
  const filled = (doc.job_actions as Doc[]).map((step) => {
    const action = { ...((step.freezer_action ?? {}) as Doc) };
    for (const [key, value] of Object.entries(defaults as Doc)) {
      if (action[key] === undefined || action[key] === null) action[key] = value;
    }
    return { ...step, freezer_action: action };
  });
  return { ...doc, job_actions: filled };
}

/** Takes the job out of the session's `jobs`, if it is there. */
export async function dropFromSession(trx: Knex, scope: Scope, sessionId: string, jobId: string): Promise<void> {
  const session = await sessions.find(trx, scope, sessionId);
  const members = (session?.doc.jobs ?? {}) as Doc;
  if (!session || !Object.prototype.hasOwnProperty.call(members, jobId)) return;
  const { [jobId]: _removed, ...rest } = members;
  await sessions.update(trx, scope, sessionId, session, { ...session.doc, jobs: rest });
}
