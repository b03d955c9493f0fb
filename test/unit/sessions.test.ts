import { ApiError } from '../../src/errors';
import { endSessionJob, startSessionJob, type SessionState } from '../../src/domain/sessions';
import { checkEach } from '../helpers/failures';

// The original's fake session (freezer_api/tests/unit/common.py fake_session_0): tag 5, hold-off
// 60 s, one running job and one that completed successfully.
const fakeSession = (over: Partial<SessionState> = {}): SessionState => ({
  session_id: 'turistidellademocrazia',
  session_tag: 5,
  description: 'some text here',
  hold_off: 60,
  schedule: { time_created: 1234, time_started: 1234, time_ended: 0, status: 'stop' },
  jobs: {
    job_id_1: { client_id: 'bruco', status: 'running', start_time: 12344321 },
    job_id_2: { client_id: 'cocktail', status: 'completed', result: 'success', start_time: 123321, end_time: 123325 },
  },
  time_start: 999,
  time_end: 432234432,
  status: 'running',
  result: '',
  user_id: 'califfo',
  ...over,
});

const INSIDE = 1000; // 1 s after time_start: within hold-off
const OUTSIDE = 2000; // well past hold-off

function expectBadRequest(fn: () => unknown, description: string) {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ApiError);
  expect(thrown).toMatchObject({ status: 400, title: 'Bad Request', message: description });
}

describe('startSessionJob', () => {
  it('tag 5 outside hold-off opens a new run: success, tag 6, session running, job running', () => {
    const input = fakeSession();
    const out = startSessionJob(input, 'job_id_2', 5, OUTSIDE);
    expect(out).toMatchObject({ result: 'success', changed: true });
    expect(out.session).toEqual({
      ...fakeSession(),
      session_tag: 6,
      time_start: OUTSIDE,
      status: 'running',
      result: '',
      jobs: {
        ...fakeSession().jobs,
        job_id_2: { ...fakeSession().jobs.job_id_2, status: 'running', result: '', time_started: OUTSIDE },
      },
    });
  });

  it('tag 6 (above the session tag) is a 400', () => {
    expectBadRequest(
      () => startSessionJob(fakeSession(), 'job_id_2', 6, OUTSIDE),
      'requested tag value too high. Session Tag: 5 Job Tag: 6',
    );
    expectBadRequest(
      () => startSessionJob(fakeSession(), 'job_id_2', 6, INSIDE),
      'requested tag value too high. Session Tag: 5 Job Tag: 6',
    );
  });

  it('tag 4 within hold-off joins the run: success, tag stays 5, job running', () => {
    const input = fakeSession();
    const out = startSessionJob(input, 'job_id_2', 4, INSIDE);
    expect(out).toMatchObject({ result: 'success', changed: true });
    expect(out.session.session_tag).toBe(5);
    expect(out.session.time_start).toBe(999);
    expect(out.session.jobs.job_id_2).toEqual({
      ...fakeSession().jobs.job_id_2,
      status: 'running',
      result: '',
      time_started: INSIDE,
    });
    expect(out.session.jobs.job_id_1).toBe(input.jobs.job_id_1); // untouched entries are shared
  });

  it('tag 5 within hold-off is hold-off and changes nothing', () => {
    const out = startSessionJob(fakeSession(), 'job_id_2', 5, INSIDE);
    expect(out).toEqual({ result: 'hold-off', session: fakeSession(), changed: false });
  });

  it('the hold-off window includes its last second (dt == hold_off)', () => {
    expect(startSessionJob(fakeSession(), 'job_id_2', 5, 999 + 60).result).toBe('hold-off');
    expect(startSessionJob(fakeSession(), 'job_id_2', 5, 999 + 61).result).toBe('success');
  });

  it('tag 2 outside hold-off is out-of-sync and changes nothing', () => {
    const out = startSessionJob(fakeSession(), 'job_id_2', 2, OUTSIDE);
    expect(out).toEqual({ result: 'out-of-sync', session: fakeSession(), changed: false });
  });

  it('joining a run the job is already marked running in, at the same second, changes nothing', () => {
    const once = startSessionJob(fakeSession(), 'job_id_2', 4, INSIDE).session;
    const twice = startSessionJob(once, 'job_id_2', 4, INSIDE);
    expect(twice).toMatchObject({ result: 'success', changed: false });
    expect(twice.session).toEqual(once);
  });

  it.each([
    ['outside hold-off, tag == S', 5, OUTSIDE],
    ['within hold-off, tag < S', 4, INSIDE],
    ['within hold-off, tag == S (original: hold-off)', 5, INSIDE],
    ['outside hold-off, tag < S (original: out-of-sync)', 2, OUTSIDE],
    ['tag > S', 6, OUTSIDE],
  ])('an unknown job is a 400 in every branch: %s', (_name, tag, now) => {
    expectBadRequest(() => startSessionJob(fakeSession(), 'missedme', tag, now), 'job_id not found in session');
  });

  it('inherited property names are not job ids', () => {
    expectBadRequest(() => startSessionJob(fakeSession(), 'constructor', 5, OUTSIDE), 'job_id not found in session');
    expectBadRequest(() => startSessionJob(fakeSession(), '__proto__', 5, OUTSIDE), 'job_id not found in session');
  });

  it('never mutates its input, and returns a fresh object even when nothing changes', async () => {
    await checkEach(
      [
        [5, OUTSIDE],
        [4, INSIDE],
        [5, INSIDE],
        [2, OUTSIDE],
      ] as const,
      ([tag, now]) => {
        const input = fakeSession();
        const out = startSessionJob(input, 'job_id_2', tag, now);
        expect(input).toEqual(fakeSession());
        expect(out.session).not.toBe(input);
      },
    );
  });
});

describe('endSessionJob', () => {
  it('the original end test: success, tag unchanged, job completed', () => {
    const out = endSessionJob(fakeSession(), 'job_id_2', 'success', OUTSIDE);
    expect(out.result).toBe('success');
    expect(out.session.session_tag).toBe(5);
    expect(out.session.jobs.job_id_2).toEqual({
      ...fakeSession().jobs.job_id_2,
      status: 'completed',
      result: 'success',
      time_ended: OUTSIDE,
    });
  });

  it('while another job is still running the session status is unchanged', () => {
    const out = endSessionJob(fakeSession(), 'job_id_2', 'success', OUTSIDE);
    // changed: time_ended changed.
    expect(out).toMatchObject({ changed: true, session: { status: 'running', result: '', time_end: 432234432 } });
  });

  it('the last job ending with every job successful completes the session with success', () => {
    const out = endSessionJob(fakeSession(), 'job_id_1', 'success', OUTSIDE);
    expect(out).toMatchObject({ result: 'success', changed: true });
    expect(out.session).toMatchObject({ status: 'completed', result: 'success', time_end: OUTSIDE, session_tag: 5 });
    expect(out.session.jobs.job_id_1).toMatchObject({ status: 'completed', result: 'success', time_ended: OUTSIDE });
  });

  it('one failed job makes the whole session fail', () => {
    const out = endSessionJob(fakeSession(), 'job_id_1', 'fail', OUTSIDE);
    expect(out.session).toMatchObject({ status: 'completed', result: 'fail', time_end: OUTSIDE });
  });

  it('any result other than success (aborted, a missing result) counts as fail', () => {
    expect(endSessionJob(fakeSession(), 'job_id_1', 'aborted', OUTSIDE).session.result).toBe('fail');
    const noResult = fakeSession({ jobs: { ...fakeSession().jobs, job_id_2: { status: 'completed' } } });
    expect(endSessionJob(noResult, 'job_id_1', 'success', OUTSIDE).session.result).toBe('fail');
  });

  it('a job without a status counts as still running', () => {
    const s = fakeSession({ jobs: { ...fakeSession().jobs, job_id_3: { client_id: 'x' } } });
    expect(endSessionJob(s, 'job_id_1', 'success', OUTSIDE).session.status).toBe('running');
  });

  it('an already completed session keeps its status, result and time_end', () => {
    const done = endSessionJob(fakeSession(), 'job_id_1', 'success', OUTSIDE).session;
    const again = endSessionJob(done, 'job_id_2', 'fail', OUTSIDE + 5);
    expect(again.result).toBe('success');
    expect(again.session).toMatchObject({ status: 'completed', result: 'success', time_end: OUTSIDE });
    expect(again.session.jobs.job_id_2).toMatchObject({ result: 'fail', time_ended: OUTSIDE + 5 });
  });

  it('repeating the same end at the same second changes nothing', () => {
    const done = endSessionJob(fakeSession(), 'job_id_1', 'success', OUTSIDE).session;
    const again = endSessionJob(done, 'job_id_1', 'success', OUTSIDE);
    expect(again).toEqual({ result: 'success', session: done, changed: false });
  });

  it('an unknown job is a 400', () => {
    expectBadRequest(() => endSessionJob(fakeSession(), 'ahahahahah', 'success', OUTSIDE), 'job_id not found in session');
    expectBadRequest(() => endSessionJob(fakeSession(), 'toString', 'success', OUTSIDE), 'job_id not found in session');
  });

  it('never mutates its input', () => {
    const input = fakeSession();
    const out = endSessionJob(input, 'job_id_1', 'success', OUTSIDE);
    expect(input).toEqual(fakeSession());
    expect(out.session).not.toBe(input);
    expect(out.session.jobs).not.toBe(input.jobs);
  });

  it('a full cycle: start opens run 6, both jobs end, the session completes', () => {
    let s = startSessionJob(fakeSession(), 'job_id_1', 5, OUTSIDE).session;
    s = startSessionJob(s, 'job_id_2', 5, OUTSIDE + 1).session; // joins within hold-off
    expect(s).toMatchObject({ session_tag: 6, status: 'running' });
    s = endSessionJob(s, 'job_id_1', 'success', OUTSIDE + 10).session;
    expect(s.status).toBe('running');
    s = endSessionJob(s, 'job_id_2', 'success', OUTSIDE + 20).session;
    expect(s).toMatchObject({ session_tag: 6, status: 'completed', result: 'success', time_end: OUTSIDE + 20 });
  });
});
