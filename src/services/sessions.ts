// Sessions: groups of jobs that run together, their membership and the start/end handshake.
import type { Knex } from 'knex';
import type { components } from '../../generated/openapi';
import { type Doc, serverOwned } from '../db/repos/documents';
import { SESSION, jobs, sessions } from '../db/repos/kinds';
import { newId } from '../db/ids';
import { inTransaction } from '../db/transactions';
import { notFound } from '../errors';
import type { Scope } from '../identity';
import type { Expected } from '../api/concurrency';
import { deepMerge } from '../domain/merge';
import { type SessionState, endSessionJob, startSessionJob } from '../domain/sessions';
import { dropFromSession, jobNotFound } from './jobs';
import { existing, nowSeconds, patch, put, removeIfPresent, withoutKeys } from './documents';

const OWNED = serverOwned(SESSION);
export const sessionNotFound = (id: string) => notFound(`No session found with ID ${id}`);

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

export function sessionService(db: Knex) {
  return {
    async create(scope: Scope, body: Doc): Promise<string> {
      const id = newId();
      const { status: _s, result: _r, ...doc } = fromBody(body);
      await sessions.insert(db, scope, id, { ...fresh(), ...doc });
      return id;
    },

    /** Create-or-replace; a replaced session keeps its jobs, state and times unless the body gives them. */
    replace(scope: Scope, id: string, body: Doc, expected: Expected): Promise<number> {
      return inTransaction(db, (trx) =>
        put(trx, sessions, scope, id, expected, (current) => ({
          ...(current ? pick(current.doc, Object.keys(fresh())) : fresh()),
          ...fromBody(body),
        })),
      );
    },

    update(scope: Scope, id: string, body: Doc, expected: Expected): Promise<number> {
      return patch(db, sessions, scope, id, expected, (_q, current) => deepMerge(current.doc, fromBody(body)));
    },

    /** Deletes the session and detaches its jobs; true when there was one. */
    remove(scope: Scope, id: string, expected: Expected): Promise<boolean> {
      return inTransaction(db, async (trx) => {
        const removed = await removeIfPresent(trx, sessions, scope, id, expected);
        for (const jobId of Object.keys((removed?.doc.jobs ?? {}) as Doc)) {
          const job = await jobs.find(trx, scope, jobId);
          if (job && job.doc.session_id === id) {
            await jobs.update(trx, scope, jobId, job, { ...job.doc, session_id: '', session_tag: 0 });
          }
        }
        return removed !== undefined;
      });
    },

    /** The start/end handshake; returns its result and the session's tag after it. */
    act(scope: Scope, id: string, action: SessionAction, expected: Expected) {
      return inTransaction(db, async (trx) => {
        const current = await existing(trx, sessions, scope, id, expected);
        const state = current.doc as SessionState;
        // The schema admits exactly one of start or end; the CLI sends the tag as a string.
        const outcome = action.start
          ? startSessionJob(state, action.start.job_id, Number(action.start.current_tag), nowSeconds())
          : endSessionJob(state, action.end!.job_id, action.end!.result, nowSeconds());
        if (outcome.changed) await sessions.update(trx, scope, id, current, outcome.session);
        return { result: outcome.result, session_tag: outcome.session.session_tag };
      });
    },

    /**
     * Puts the job in the session: the session records it, the job takes the session's id, tag
     * and `schedule_*` fields (keeping its own bookkeeping: times, event, status, result).
     */
    addJob(scope: Scope, sessionId: string, jobId: string, expected: Expected): Promise<void> {
      return inTransaction(db, async (trx) => {
        const { session, job } = await sessionAndJob(trx, scope, sessionId, jobId, expected);
        const previous = job.doc.session_id;
        if (typeof previous === 'string' && previous && previous !== sessionId) {
          await dropFromSession(trx, scope, previous, jobId);
        }
        const schedule = (job.doc.job_schedule ?? {}) as Doc;
        const entry = {
          client_id: job.doc.client_id,
          status: schedule.status ?? '',
          result: schedule.result ?? '',
          time_started: schedule.time_started ?? -1,
          time_ended: schedule.time_ended ?? -1,
        };
        await sessions.update(trx, scope, sessionId, session, {
          ...session.doc,
          jobs: { ...((session.doc.jobs ?? {}) as Doc), [jobId]: entry },
        });
        const sessionSchedule = (session.doc.schedule ?? {}) as Doc;
        const ownFields = Object.fromEntries(Object.entries(schedule).filter(([k]) => !k.startsWith('schedule_')));
        const timing = Object.fromEntries(Object.entries(sessionSchedule).filter(([k]) => k.startsWith('schedule_')));
        await jobs.update(trx, scope, jobId, job, {
          ...job.doc,
          session_id: sessionId,
          session_tag: session.doc.session_tag,
          job_schedule: { ...ownFields, ...timing },
        });
      });
    },

    /** Takes the job out of the session and asks its scheduler to stop it; idempotent. */
    removeJob(scope: Scope, sessionId: string, jobId: string, expected: Expected): Promise<void> {
      return inTransaction(db, async (trx) => {
        const { job } = await sessionAndJob(trx, scope, sessionId, jobId, expected);
        await dropFromSession(trx, scope, sessionId, jobId);
        if (job.doc.session_id === sessionId) {
          await jobs.update(trx, scope, jobId, job, {
            ...job.doc,
            session_id: '',
            session_tag: 0,
            job_schedule: { ...((job.doc.job_schedule ?? {}) as Doc), event: 'stop' },
          });
        }
      });
    },
  };
}

/** Both ends of a membership change, or 404; If-Match applies to the session. */
async function sessionAndJob(trx: Knex, scope: Scope, sessionId: string, jobId: string, expected: Expected) {
  const session = await existing(trx, sessions, scope, sessionId, expected);
  const job = await jobs.find(trx, scope, jobId);
  if (!job) throw jobNotFound(jobId);
  return { session, job };
}

/** The body as a document: server-owned fields and `jobs` (managed by add/remove job) dropped. */
const fromBody = (body: Doc): Doc => withoutKeys(body, [...OWNED, 'jobs']);

function pick(doc: Doc, keys: string[]): Doc {
  return Object.fromEntries(keys.filter((k) => k in doc).map((k) => [k, doc[k]]));
}
