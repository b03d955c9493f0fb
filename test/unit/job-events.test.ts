import { applyJobEvent, type JobEventName, type JobSchedule } from '../../src/domain/job-events';

const events: JobEventName[] = ['start', 'stop', 'abort'];
const priorEvents = [undefined, '', 'start', 'stop', 'abort', 'remove'];
// The original's unit tests (v2/test_jobs.py TestJobs) vary status too; status never matters.
const statuses = [undefined, '', 'scheduled', 'running', 'stop', 'completed', 'abort'];

const scheduleOf = (status?: string, event?: string): JobSchedule => ({
  ...(status === undefined ? {} : { status }),
  ...(event === undefined ? {} : { event }),
  result: 'fail',
  time_started: 10,
  schedule_interval: '1 days',
});

describe('applyJobEvent: the full event × prior event × status matrix', () => {
  const cases = events.flatMap((event) =>
    priorEvents.flatMap((prior) => statuses.map((status) => [event, prior, status] as const)),
  );
  it.each(cases)('%s on event=%p status=%p', (event, prior, status) => {
    const input = scheduleOf(status, prior);
    const snapshot = structuredClone(input);
    const out = applyJobEvent(input, event);

    expect(input).toEqual(snapshot);
    expect(out.schedule).not.toBe(input);
    if (prior === event) {
      expect(out).toEqual({ result: `${event} already requested`, schedule: snapshot, changed: false });
    } else {
      expect(out).toMatchObject({ result: 'success', changed: true });
      const reset = event === 'start' ? { status: '', result: '' } : {};
      expect(out.schedule).toEqual({ ...snapshot, ...reset, event });
    }
  });
});

describe('applyJobEvent: the original unit tests by name', () => {
  it.each([
    ['start', 'scheduled', undefined, 'success', true],
    ['start', 'scheduled', 'start', 'start already requested', false], // test_start_scheduled_started_job
    ['start', 'running', 'start', 'start already requested', false],
    ['start', 'stop', undefined, 'success', true],
    ['start', undefined, 'start', 'start already requested', false],
    ['start', undefined, undefined, 'success', true],
    ['stop', 'running', undefined, 'success', true],
    ['stop', 'completed', 'stop', 'stop already requested', false],
    ['stop', '', undefined, 'success', true],
    ['abort', 'running', undefined, 'success', true],
    ['abort', 'abort', 'abort', 'abort already requested', false],
    ['abort', undefined, undefined, 'success', true],
  ] as const)('%s on status=%p event=%p -> %s', (event, status, prior, result, changed) => {
    const out = applyJobEvent(scheduleOf(status, prior), event);
    expect(out.result).toBe(result);
    expect(out.changed).toBe(changed);
  });

  it('start clears status and result; stop and abort leave them as they are', () => {
    const base = { status: 'completed', result: 'success', event: '' };
    expect(applyJobEvent(base, 'start').schedule).toEqual({ status: '', result: '', event: 'start' });
    expect(applyJobEvent(base, 'stop').schedule).toEqual({ ...base, event: 'stop' });
    expect(applyJobEvent(base, 'abort').schedule).toEqual({ ...base, event: 'abort' });
  });

  it('start on a stopped job (TestJobsEvent.test_on_post_start_event_ok)', () => {
    expect(applyJobEvent({ status: 'stop' }, 'start')).toEqual({
      result: 'success',
      schedule: { status: '', result: '', event: 'start' },
      changed: true,
    });
  });
});
