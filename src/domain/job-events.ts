// Job events (freezer-api §8.1). The API only records what a user asked for in job_schedule.event;
// the scheduler acts on it and reports status/result itself. Each event is idempotent: if the
// schedule already carries the same event, nothing changes and the answer is "<event> already
// requested"; otherwise event becomes the new one and the answer is "success". A start also clears
// status and result, so the scheduler sees a fresh start request rather than the last run's outcome.

export type JobEventName = 'start' | 'stop' | 'abort';
export type JobSchedule = Record<string, unknown> & { event?: string; status?: string; result?: string };
export type JobEventResult = 'success' | `${JobEventName} already requested`;
export interface JobEventOutcome {
  result: JobEventResult;
  schedule: JobSchedule;
  changed: boolean;
}

/** Applies `event` to a copy of `schedule`; the input is never mutated. */
export function applyJobEvent(schedule: JobSchedule, event: JobEventName): JobEventOutcome {
  if (schedule.event === event) {
    return { result: `${event} already requested`, schedule: { ...schedule }, changed: false };
  }
  const reset = event === 'start' ? { status: '', result: '' } : {};
  return { result: 'success', schedule: { ...schedule, ...reset, event }, changed: true };
}
