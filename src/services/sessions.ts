// Sessions: groups of jobs that run together, their membership and the start/end handshake.
import type { components } from '../../generated/openapi';
import type { Scope } from '../domain/caller';
import { type Doc, nowSeconds, withoutKeys } from '../domain/documents';
import { patchDocument } from '../domain/merge';
import { type SessionState, endSessionJob, startSessionJob } from '../domain/sessions';
import { newId } from '../db/ids';
import { serverOwned } from '../db/repos/documents';
import { SESSION } from '../db/repos/kinds';
import type { Store, Tx } from '../db/store';
import { notFound } from '../errors';
import { type Target, type VersionedService, versionedWrites } from './versioned';

const OWNED = serverOwned(SESSION);

/** What a new session starts as; the body may set the tag and hold-off. */
const fresh = (): Doc => ({
  session_tag: 0,
  hold_off: 30,
  status: 'active',
  result: '',
  jobs: {},
  last_start: '',
  time_start: -1,
  time_end: -1,
  time_started: -1,
  time_ended: -1,
});

export type SessionAction = components['schemas']['SessionAction'];
export type SessionsService = ReturnType<typeof createSessionsService>;

export function createSessionsService(store: Store) {
  const { sessions, jobs } = store;
  const writes = versionedWrites(store, sessions);

  /** Both ends of a membership change, or 404; If-Match applies to the session. */
  async function sessionAndJob(target: Target, jobId: string, tx: Tx) {
    const session = await writes.current(target, tx);
    const job = await jobs.find(target.scope, jobId, tx);
    if (!job) throw notFound(`No job found with ID ${jobId}`);
    return { session, job };
  }

  /** Takes the job out of the session's `jobs`, if it is there. */
  async function dropJob(scope: Scope, sessionId: string, jobId: string, tx: Tx): Promise<void> {
    const session = await sessions.find(scope, sessionId, tx);
    const members = (session?.doc.jobs ?? {}) as Doc;
    if (!session || !Object.hasOwn(members, jobId)) return;
    const { [jobId]: _removed, ...rest } = members;
    await sessions.update(scope, sessionId, session, { ...session.doc, jobs: rest }, tx);
  }

  const service = {
    async create(scope: Scope, body: Doc): Promise<string> {
      const id = newId();
      const { status: _s, result: _r, ...doc } = fromBody(body);
      await sessions.insert(scope, id, { ...fresh(), ...doc });
      return id;
    },

    /** Create-or-replace; a replaced session keeps its jobs, state and times unless the body gives them. */
    replace: (target, body) =>
      store.transaction((trx) =>
        writes.replace(target, (found) => ({ ...(found ? pick(found.doc, Object.keys(fresh())) : fresh()), ...fromBody(body) }), {
          trx,
        }),
      ),

    /** The schema keeps the keys every session has from being deleted by a merge patch. */
    update: (target, body, style) => writes.patch(target, (found) => patchDocument(found.doc, fromBody(body), style)),

    /** Deletes the session and detaches its jobs; true when there was one. */
    remove: (target) =>
      store.transaction(async (trx) => {
        const { scope, id } = target;
        const removed = await writes.remove(target, { trx });
        for (const jobId of Object.keys(removed?.doc.jobs ?? {})) {
          const job = await jobs.find(scope, jobId, { trx });
          if (job && job.doc.session_id === id) {
            await jobs.update(scope, jobId, job, { ...job.doc, session_id: '', session_tag: 0 }, { trx });
          }
        }
        return removed !== undefined;
      }),

    /** The start/end handshake; returns its result and the session's tag after it. */
    act(target: Target, action: SessionAction) {
      return store.transaction(async (trx) => {
        const found = await writes.current(target, { trx });
        const state = found.doc as SessionState;
        // The schema admits exactly one of start or end; the CLI sends the tag as a string.
        const outcome = action.start
          ? startSessionJob(state, action.start.job_id, Number(action.start.current_tag), nowSeconds())
          : endSessionJob(state, action.end!.job_id, action.end!.result, nowSeconds());
        if (outcome.changed) await sessions.update(target.scope, target.id, found, outcome.session, { trx });
        return { result: outcome.result, session_tag: outcome.session.session_tag };
      });
    },

    /**
     * Puts the job in the session: the session records it, the job takes the session's id, tag
     * and `schedule_*` fields (keeping its own bookkeeping: times, event, status, result).
     */
    addJob(target: Target, jobId: string): Promise<void> {
      return store.transaction(async (trx) => {
        const { scope, id: sessionId } = target;
        const { session, job } = await sessionAndJob(target, jobId, { trx });
        const previous = job.doc.session_id;
        if (typeof previous === 'string' && previous && previous !== sessionId) {
          await dropJob(scope, previous, jobId, { trx });
        }
        const schedule = (job.doc.job_schedule ?? {}) as Doc;
        const entry = {
          client_id: job.doc.client_id,
          status: schedule.status ?? '',
          result: schedule.result ?? '',
          time_started: schedule.time_started ?? -1,
          time_ended: schedule.time_ended ?? -1,
        };
        await sessions.update(
          scope,
          sessionId,
          session,
          {
            ...session.doc,
            jobs: { ...((session.doc.jobs ?? {}) as Doc), [jobId]: entry },
          },
          { trx },
        );
        const sessionSchedule = (session.doc.schedule ?? {}) as Doc;
        const ownFields = Object.fromEntries(Object.entries(schedule).filter(([k]) => !k.startsWith('schedule_')));
        const timing = Object.fromEntries(Object.entries(sessionSchedule).filter(([k]) => k.startsWith('schedule_')));
        await jobs.update(
          scope,
          jobId,
          job,
          {
            ...job.doc,
            session_id: sessionId,
            session_tag: session.doc.session_tag,
            job_schedule: { ...ownFields, ...timing },
          },
          { trx },
        );
      });
    },

    /** Takes the job out of the session and asks its scheduler to stop it; idempotent. */
    removeJob(target: Target, jobId: string): Promise<void> {
      return store.transaction(async (trx) => {
        const { scope, id: sessionId } = target;
        const { job } = await sessionAndJob(target, jobId, { trx });
        await dropJob(scope, sessionId, jobId, { trx });
        if (job.doc.session_id === sessionId) {
          await jobs.update(
            scope,
            jobId,
            job,
            {
              ...job.doc,
              session_id: '',
              session_tag: 0,
              job_schedule: { ...((job.doc.job_schedule ?? {}) as Doc), event: 'stop' },
            },
            { trx },
          );
        }
      });
    },

    /** For a job leaving its session some other way (deleted): the session forgets it. */
    dropJob,
  } satisfies VersionedService & Record<string, unknown>;
  return service;
}

/** The body as a document: server-owned fields and `jobs` (managed by add/remove job) dropped. */
const fromBody = (body: Doc): Doc => withoutKeys(body, [...OWNED, 'jobs']);

function pick(doc: Doc, keys: string[]): Doc {
  return Object.fromEntries(keys.filter((k) => k in doc).map((k) => [k, doc[k]]));
}
