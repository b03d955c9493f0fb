// Jobs: validation beyond the schema (registered client, its capabilities), the steps stored as
// actions, create/replace/update/event/delete, each atomic: one transaction, or for an update
// that writes the job's row alone, one conditional UPDATE (see versionedWrites' `patch`). A v2 job
// that needs a Keystone trust gets it before its transaction, and the trust goes with the last job
// using it after the delete's (no row lock is held across a call to Keystone).
import type { Caller, Scope } from '../domain/caller';
import { checkCapabilities } from '../domain/capabilities';
import { type Doc, nowSeconds, sameJson, withoutKeys } from '../domain/documents';
import { type JobEventName, type JobEventResult, applyJobEvent } from '../domain/job-events';
import { type PatchStyle, patchDocument, replaceKeys } from '../domain/merge';
import type { Trusts } from '../domain/trusts';
import { newId } from '../db/ids';
import { serverOwned } from '../db/repos/documents';
import { JOB } from '../db/repos/kinds';
import type { Store, Tx } from '../db/store';
import { badRequest, conflict, unprocessable } from '../errors';
import type { ActionsService } from './actions';
import type { SessionsService } from './sessions';
import { type Target, type VersionedService, versionedWrites } from './versioned';

/** The job's trust (see Trusts): server-owned, kept in the document, ignored in every body. */
const CREDENTIALS = 'user_credentials';
const OWNED = [...serverOwned(JOB), CREDENTIALS];
const TIME_FIELDS = ['time_created', 'time_started', 'time_ended'] as const;
/**
 * The `job_schedule` keys the server and the scheduler own: an application/json PATCH whose
 * `job_schedule` does not name them keeps them, so an edit form cannot wipe the job's run state.
 */
const RUN_STATE = ['time_created', 'event', 'status', 'result', 'time_started', 'time_ended', 'current_pid'];
/** The keys that, when a PATCH changes them, have the steps checked and stored again. */
const STEP_KEYS = ['job_actions', 'job_action', 'client_id'] as const;

export type JobsService = ReturnType<typeof createJobsService>;

/** `trusts`: in keystone mode, how jobs get Keystone trusts for the central scheduler. */
export function createJobsService(store: Store, actions: ActionsService, sessions: SessionsService, trusts?: Trusts) {
  const { jobs, clients } = store;
  const writes = versionedWrites(store, jobs);

  /** Whether a new v2 job needs a trust: always, or when its client is central. */
  async function needsTrust(caller: Caller, doc: Doc): Promise<boolean> {
    if (!trusts || trusts.mode === 'off') return false;
    if (trusts.mode === 'always') return true;
    return (await clients.find(caller, String(doc.client_id)))?.client.is_central === true;
  }

  /** Checks a complete job and stores its steps as actions; returns the document to store. */
  async function prepare(scope: Scope, doc: Doc, tx: Tx): Promise<Doc> {
    const steps = doc.job_actions as Doc[] | undefined;
    if (steps === undefined && doc.job_action === undefined) {
      throw badRequest("a job needs 'job_actions' (or the v1 document's 'job_action')");
    }
    const clientId = String(doc.client_id);
    const client = await clients.find(scope, clientId, tx);
    if (!client) throw unprocessable(`Client not found with ID ${clientId}`);
    const freezerActions = [
      ...(steps ?? []).map((step) => step.freezer_action),
      ...(doc.job_action === undefined ? [] : [doc.job_action]),
    ];
    if (freezerActions.some((fa) => fa === undefined)) {
      throw badRequest("every job action needs a 'freezer_action'");
    }
    checkCapabilities(clientId, client.client, freezerActions as Record<string, unknown>[]);
    return steps === undefined ? doc : { ...doc, job_actions: await actions.storeJobSteps(scope, steps, tx) };
  }

  const service = {
    /**
     * Stores a new job under the body's `job_id`, or a new one (409 when that id is taken); its id.
     * With `mayTrust` (v2), a job that needs a trust gets one first, and a trust made for it is
     * deleted again when the job cannot be stored.
     */
    async create(caller: Caller, body: Doc, { mayTrust = false } = {}): Promise<string> {
      const id = typeof body.job_id === 'string' ? body.job_id : newId();
      const schedule = {
        ...(body.job_schedule as Doc | undefined),
        time_created: nowSeconds(),
        time_started: -1,
        time_ended: -1,
      };
      const doc: Doc = { session_id: '', session_tag: 0, ...fromBody(body), job_schedule: schedule };
      const trust = trusts && mayTrust && (await needsTrust(caller, doc)) ? await trusts.obtain(caller) : undefined;
      if (trust) doc[CREDENTIALS] = trust.credentials;
      try {
        await store.transaction(async (trx) => {
          const prepared = await prepare(caller, doc, { trx });
          if (!(await jobs.insert(caller, id, prepared, { trx }))) throw conflict(`Job already registered with ID ${id}`);
        });
      } catch (err) {
        if (trust?.created) await trusts!.remove(trust.credentials.trust_id);
        throw err;
      }
      return id;
    },

    /** Create-or-replace; what the body leaves out of the schedule's times and the session stays. */
    replace: (target, body) =>
      store.transaction((trx) =>
        writes.replace(
          target,
          (found) => {
            const before = found?.doc ?? {};
            const beforeSchedule = (before.job_schedule ?? {
              time_created: nowSeconds(),
              time_started: -1,
              time_ended: -1,
            }) as Doc;
            const kept = Object.fromEntries(TIME_FIELDS.filter((f) => f in beforeSchedule).map((f) => [f, beforeSchedule[f]]));
            return prepare(
              target.scope,
              {
                session_id: before.session_id ?? '',
                session_tag: before.session_tag ?? 0,
                ...fromBody(body),
                job_schedule: { ...kept, ...(body.job_schedule as Doc | undefined) },
                // A replace makes no trust and keeps the one the job has.
                ...(before[CREDENTIALS] === undefined ? {} : { [CREDENTIALS]: before[CREDENTIALS] }),
              },
              { trx },
            );
          },
          { trx },
        ),
      ),

    update(target, body, style) {
      const changes = fromBody(body);
      // Steps and the client are checked again (and the steps stored as actions) only when they
      // change, so that a scheduler reporting status is not refused because its registration
      // changed meanwhile, and its report writes the job's row alone.
      return writes.patch(
        target,
        (found) => patchJob(found.doc, changes, style),
        (found, doc) =>
          STEP_KEYS.some((key) => !sameJson(doc[key], found.doc[key])) ? (tx) => prepare(target.scope, doc, tx) : undefined,
      );
    },

    /** Records a start, stop or abort request for the scheduler; the event's result. */
    event(target: Target, event: JobEventName): Promise<JobEventResult> {
      return store.transaction(async (trx) => {
        const found = await writes.current(target, { trx });
        const outcome = applyJobEvent((found.doc.job_schedule ?? {}) as Doc, event);
        if (outcome.changed) {
          await jobs.update(target.scope, target.id, found, { ...found.doc, job_schedule: outcome.schedule }, { trx });
        }
        return outcome.result;
      });
    },

    /**
     * Deletes the job and takes it out of its session; true when there was one. Its trust is
     * deleted from Keystone afterwards when no other job uses it.
     */
    async remove(target: Target): Promise<boolean> {
      const removed = await store.transaction(async (trx) => {
        const found = await writes.remove(target, { trx });
        const sessionId = found?.doc.session_id;
        if (typeof sessionId === 'string' && sessionId) await sessions.dropJob(target.scope, sessionId, target.id, { trx });
        return found;
      });
      const trustId = ((removed?.doc[CREDENTIALS] ?? {}) as Doc).trust_id;
      if (trusts && typeof trustId === 'string' && !(await jobs.usesTrust(trustId))) await trusts.remove(trustId);
      return removed !== undefined;
    },
  } satisfies VersionedService & Record<string, unknown>;
  return service;
}

/** The job after a PATCH: application/json keeps the schedule's run state unless the body names it. */
function patchJob(doc: Doc, changes: Doc, style: PatchStyle): Doc {
  const patched = patchDocument(doc, changes, style);
  const schedule = changes.job_schedule as Doc | undefined;
  if (style === 'merge-patch' || schedule === undefined) return patched;
  const before = (doc.job_schedule ?? {}) as Doc;
  const kept = Object.fromEntries(RUN_STATE.filter((key) => Object.hasOwn(before, key)).map((key) => [key, before[key]]));
  patched.job_schedule = replaceKeys(kept, schedule);
  return patched;
}

/** The body as a document: server-owned fields dropped, `action_defaults` spread into the steps. */
function fromBody(body: Doc): Doc {
  const { action_defaults: defaults, ...doc } = withoutKeys(body, OWNED);
  // null: a merge patch deleting them, and they are never stored, so there is nothing to delete.
  if (defaults === undefined || defaults === null || !Array.isArray(doc.job_actions)) return doc;
  const filled = (doc.job_actions as Doc[]).map((step) => {
    const action = { ...((step.freezer_action ?? {}) as Doc) };
    for (const [key, value] of Object.entries(defaults as Doc)) {
      if (action[key] === undefined || action[key] === null) action[key] = value;
    }
    return { ...step, freezer_action: action };
  });
  return { ...doc, job_actions: filled };
}
