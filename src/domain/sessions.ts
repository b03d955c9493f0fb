// Session actions (freezer-api §8.5). A session groups jobs, possibly on different clients, that
// should run together. session_tag counts the runs; each job remembers the tag of its last run.
//
// start: the first job to ask with the current tag (T == S) after the hold-off window opens a new
// run: the tag goes up by one, time_start = now and the session becomes 'running'. Within hold_off
// seconds of that, jobs still holding the previous tag (T < S) join the run ('success'), while a
// second request with the current tag gets 'hold-off' (the run it would open has just begun).
// After the window, a stale tag (T < S) is 'out-of-sync'. A tag from the future (T > S) is an error.
// A job that joins or opens a run is marked running.
//
// end: the job is marked completed with its result. Once every job is completed the session
// becomes 'completed' with result 'success' if all jobs succeeded, else 'fail'; it stays so until
// the next start opens a new run.
//
// All functions are pure: they return fresh top-level objects (untouched nested values are shared
// with the input) and never mutate their arguments.
import { badRequest } from '../errors';

export interface SessionJob {
  client_id?: string;
  status?: string;
  result?: string;
  time_started?: number | string;
  time_ended?: number | string;
  [k: string]: unknown;
}
export interface SessionState {
  session_tag: number;
  hold_off: number;
  time_start: number;
  time_end: number;
  status: string;
  result: string;
  jobs: Record<string, SessionJob>;
  [k: string]: unknown;
}
export type StartResult = 'success' | 'hold-off' | 'out-of-sync';

/** The session's entry for jobId. Own keys only, so ids like "constructor" are not "found". */
function jobOf(session: SessionState, jobId: string): SessionJob {
  const job = Object.hasOwn(session.jobs, jobId) ? session.jobs[jobId] : undefined;
  if (!job) throw badRequest('job_id not found in session');
  return job;
}

/** A copy of the session with jobs[jobId] updated; `changed` is false if the update was a no-op. */
function withJob(session: SessionState, jobId: string, job: SessionJob, update: Partial<SessionJob>) {
  const changed = Object.entries(update).some(([k, v]) => job[k] !== v);
  return { session: { ...session, jobs: { ...session.jobs, [jobId]: { ...job, ...update } } }, changed };
}

export function startSessionJob(
  session: SessionState,
  jobId: string,
  currentTag: number,
  now: number,
): { result: StartResult; session: SessionState; changed: boolean } {
  // Deliberately before anything else: a job outside the session must never open or join a run.
  const job = jobOf(session, jobId);
  const S = session.session_tag;
  const T = currentTag;
  if (T > S) throw badRequest(`requested tag value too high. Session Tag: ${S} Job Tag: ${T}`);

  const running = { status: 'running', result: '', time_started: now };
  const inHoldOff = now - session.time_start <= session.hold_off;
  if (inHoldOff && T < S) return { result: 'success', ...withJob(session, jobId, job, running) };
  if (!inHoldOff && T === S) {
    const opened = { ...session, session_tag: S + 1, time_start: now, status: 'running', result: '' };
    return { result: 'success', session: withJob(opened, jobId, job, running).session, changed: true };
  }
  return { result: inHoldOff ? 'hold-off' : 'out-of-sync', session: { ...session }, changed: false };
}

export function endSessionJob(
  session: SessionState,
  jobId: string,
  result: string,
  now: number,
): { result: 'success'; session: SessionState; changed: boolean } {
  const job = jobOf(session, jobId);
  const ended = withJob(session, jobId, job, { status: 'completed', result, time_ended: now });

  const jobs = Object.values(ended.session.jobs);
  const overall = jobs.some((j) => j.status !== 'completed')
    ? 'running'
    : jobs.some((j) => j.result !== 'success')
      ? 'fail'
      : 'success';
  // Only the first end that completes the run closes the session; later ends leave time_end alone.
  if (session.status !== 'completed' && overall !== 'running') {
    return {
      result: 'success',
      session: { ...ended.session, time_end: now, result: overall, status: 'completed' },
      changed: true,
    };
  }
  return { result: 'success', ...ended };
}
