// Sessions over HTTP, v1 and v2, on every engine: membership and the start/end handshake.
import { engineRows } from '../helpers/engines';
import { checkEach } from '../helpers/failures';
import { serverFor, VERSIONS } from '../helpers/http';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const STEP = { freezer_action: { action: 'backup', mode: 'fs' } };

describe.each(engineRows)('sessions on %s', (_name, engine) => {
  // Bound to the user in both versions (FREEZER_API_SCOPE=user, the 13.x–18.x rule), so that each
  // test's user sees only its own; test/http/project-scope.test.ts covers the default.
  const server = serverFor(engine, { scope: 'user' });

  describe.each(VERSIONS)('%s', (version, prefix) => {
    let n = 0;
    const setup = async (sessionBody: Doc = { schedule: { schedule_interval: '1 days' }, hold_off: 60 }) => {
      const headers = { 'X-User-Id': `sessions-${version}-${++n}` };
      for (const client_id of ['p_node1', 'p_node2'])
        await server.request('POST', `${prefix}/clients`, { json: { client_id }, headers });
      const job = async (client_id: string) =>
        (
          (
            await server.request('POST', `${prefix}/jobs`, {
              json: {
                client_id,
                job_actions: [STEP],
                job_schedule: { schedule_date: '2030-01-01T00:00:00', status: 'scheduled' },
              },
              headers,
            })
          ).body as Doc
        ).job_id as string;
      const jobs = [await job('p_node1'), await job('p_node2')];
      const created = await server.request('POST', `${prefix}/sessions`, { json: sessionBody, headers });
      expect(created.status).toBe(201);
      const sessionId = (created.body as Doc).session_id as string;
      const get = async (kind: 'sessions' | 'jobs', id: string) =>
        (await server.request('GET', `${prefix}/${kind}/${id}`, { headers })).body as Doc;
      const act = async (body: Doc, status = 202) => {
        const res = await server.request('POST', `${prefix}/sessions/${sessionId}/action`, { json: body, headers });
        expect(res.status).toBe(status);
        return res.body as Doc;
      };
      return { headers, jobs, sessionId, get, act };
    };

    it('creates a session with the server-set fields', async () => {
      const { sessionId, get, headers } = await setup({
        description: 'd',
        schedule: {},
        status: 'running',
        jobs: ['x'],
        session_id: 'mine',
      });
      expect(await get('sessions', sessionId)).toEqual({
        session_id: sessionId,
        user_id: headers['X-User-Id'],
        project_id: version === 'v2' ? 'proj-a' : null,
        description: 'd',
        schedule: {},
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
        version: 1,
      });
    });

    it.each([
      [{ description: 'no schedule' }, 'body is missing required property "schedule"'],
      [{ schedule: { bad: 1 } }, 'body field "schedule" has unknown property "bad"'],
      [undefined, 'Missing request body'],
    ])('rejects %j with 400', async (json, description) => {
      const res = await server.request('POST', `${prefix}/sessions`, { json, headers: { 'Content-Type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ title: 'Bad Request', description });
    });

    it('adds jobs: the session records them, the jobs take its id, tag and schedule', async () => {
      const { jobs, sessionId, get, headers } = await setup();
      await checkEach(jobs, async (jobId) => {
        expect((await server.request('PUT', `${prefix}/sessions/${sessionId}/jobs/${jobId}`, { headers })).status).toBe(204);
      });
      const session = await get('sessions', sessionId);
      expect(session.jobs).toEqual({
        [jobs[0]!]: { client_id: 'p_node1', status: 'scheduled', result: '', time_started: -1, time_ended: -1 },
        [jobs[1]!]: { client_id: 'p_node2', status: 'scheduled', result: '', time_started: -1, time_ended: -1 },
      });
      const job = await get('jobs', jobs[0]!);
      expect(job).toMatchObject({ session_id: sessionId, session_tag: 0 });
      expect(job.job_schedule).toEqual({
        schedule_interval: '1 days',
        status: 'scheduled',
        time_created: expect.any(Number),
        time_started: -1,
        time_ended: -1,
      });
    });

    it('runs the start/end handshake with hold-off, catch-up and out-of-sync', async () => {
      const { jobs, sessionId, get, act, headers } = await setup();
      for (const jobId of jobs) await server.request('PUT', `${prefix}/sessions/${sessionId}/jobs/${jobId}`, { headers });
      const [a, b] = jobs as [string, string];

      expect(await act({ start: { job_id: a, current_tag: 0 } })).toEqual({ result: 'success', session_tag: 1 });
      let session = await get('sessions', sessionId);
      expect(session).toMatchObject({ status: 'running', session_tag: 1, jobs: { [a]: { status: 'running' } } });
      // Within hold-off: the other job (still at tag 0) joins; a job at the current tag waits.
      // The freezer CLI sends the tag as a string of digits.
      expect(await act({ start: { job_id: b, current_tag: '0' } })).toEqual({ result: 'success', session_tag: 1 });
      await act({ start: { job_id: b, current_tag: 'zero' } }, 400);
      expect(await act({ start: { job_id: a, current_tag: 1 } })).toEqual({ result: 'hold-off', session_tag: 1 });
      const tooHigh = await act({ start: { job_id: a, current_tag: 5 } }, 400);
      expect(tooHigh).toEqual({ title: 'Bad Request', description: 'requested tag value too high. Session Tag: 1 Job Tag: 5' });

      expect(await act({ end: { job_id: a, current_tag: 1, result: 'success' } })).toEqual({ result: 'success', session_tag: 1 });
      session = await get('sessions', sessionId);
      expect(session).toMatchObject({ status: 'running', jobs: { [a]: { status: 'completed', result: 'success' } } });
      expect(await act({ end: { job_id: b, current_tag: 1, result: 'fail' } })).toEqual({ result: 'success', session_tag: 1 });
      session = await get('sessions', sessionId);
      expect(session).toMatchObject({ status: 'completed', result: 'fail' });
      expect(session.time_end).toBeGreaterThan(0);

      // Outside the hold-off window (hold_off 0), a lagging tag is out of sync.
      await server.request('PATCH', `${prefix}/sessions/${sessionId}`, { json: { hold_off: 0, time_start: 1 }, headers });
      expect(await act({ start: { job_id: a, current_tag: 0 } })).toEqual({ result: 'out-of-sync', session_tag: 1 });
    });

    it('answers 400 or 404 (never 500) to what crashes the original', async () => {
      const { jobs, sessionId, act, headers } = await setup();
      const notInSession = await act({ start: { job_id: jobs[0], current_tag: 0 } }, 400);
      expect(notInSession).toEqual({ title: 'Bad Request', description: 'job_id not found in session' });
      await act({ start: { job_id: jobs[0] } }, 400); // no current_tag
      await act({ end: { job_id: jobs[0] } }, 400); // no result
      await act({ explode: {} }, 400);
      await act({}, 400);
      const url = (sid: string, jid: string) => `${prefix}/sessions/${sid}/jobs/${jid}`;
      expect((await server.request('PUT', url(sessionId, 'no-such-job'), { headers })).status).toBe(404);
      expect((await server.request('PUT', url('no-such-session', jobs[0]!), { headers })).status).toBe(404);
      expect((await server.request('DELETE', url(sessionId, 'no-such-job'), { headers })).status).toBe(404);
      expect(
        (
          await server.request('POST', `${prefix}/sessions/nope/action`, {
            json: { start: { job_id: 'x', current_tag: 0 } },
            headers,
          })
        ).status,
      ).toBe(404);
      // Removing a job that is not in the (fresh) session changes nothing.
      expect((await server.request('DELETE', url(sessionId, jobs[0]!), { headers })).status).toBe(204);
    });

    it('removes a job: detached, asked to stop, and removal is idempotent', async () => {
      const { jobs, sessionId, get, headers } = await setup();
      const url = `${prefix}/sessions/${sessionId}/jobs/${jobs[0]}`;
      await server.request('PUT', url, { headers });
      const removals: number[] = [];
      for (let i = 0; i < 2; i++) removals.push((await server.request('DELETE', url, { headers })).status);
      expect(removals).toEqual([204, 204]);
      expect((await get('sessions', sessionId)).jobs).toEqual({});
      const job = await get('jobs', jobs[0]!);
      expect(job).toMatchObject({ session_id: '', session_tag: 0 });
      expect(job.job_schedule).toMatchObject({ event: 'stop', schedule_interval: '1 days', status: 'scheduled' });
    });

    it('keeps jobs and sessions consistent when either is deleted', async () => {
      const { jobs, sessionId, get, headers } = await setup();
      for (const jobId of jobs) await server.request('PUT', `${prefix}/sessions/${sessionId}/jobs/${jobId}`, { headers });
      await server.request('DELETE', `${prefix}/jobs/${jobs[0]}`, { headers });
      expect(Object.keys((await get('sessions', sessionId)).jobs)).toEqual([jobs[1]]);
      expect((await server.request('DELETE', `${prefix}/sessions/${sessionId}`, { headers })).status).toBe(204);
      expect(await get('jobs', jobs[1]!)).toMatchObject({ session_id: '', session_tag: 0 });
      expect((await server.request('DELETE', `${prefix}/sessions/${sessionId}`, { headers })).status).toBe(
        version === 'v2' ? 204 : 404,
      );
    });

    it("clears what the web UI's Edit Session leaves out, and merges an application/merge-patch+json PATCH", async () => {
      const { sessionId, get, headers: owner } = await setup();
      const url = `${prefix}/sessions/${sessionId}`;
      const before = await get('sessions', sessionId);
      const edit = await server.request('PATCH', url, {
        json: { schedule: { schedule_interval: '7 days' }, description: 'weekly' },
        headers: owner,
      });
      expect(edit.status).toBe(200);
      expect(await get('sessions', sessionId)).toEqual({
        ...before,
        schedule: { schedule_interval: '7 days' },
        description: 'weekly',
        version: 2,
      });
      const cleared = await server.request('PATCH', url, { json: { schedule: {}, description: 'weekly' }, headers: owner });
      expect(cleared.status).toBe(200);
      expect(await get('sessions', sessionId)).toEqual({ ...before, schedule: {}, description: 'weekly', version: 3 });

      const merge = { ...owner, 'Content-Type': 'application/merge-patch+json' };
      const merged = await server.request('PATCH', url, {
        json: { schedule: { schedule_hour: '03', schedule_minute: '20' }, description: null, note: 'n' },
        headers: merge,
      });
      expect(merged.status).toBe(200);
      await server.request('PATCH', url, { json: { schedule: { schedule_minute: null } }, headers: merge });
      const after = await get('sessions', sessionId);
      expect(after).toEqual({ ...before, schedule: { schedule_hour: '03' }, note: 'n', version: 5 });

      for (const key of ['schedule', 'hold_off', 'status', 'session_tag']) {
        const refused = await server.request('PATCH', url, { json: { [key]: null }, headers: merge });
        expect(refused.status).toBe(400);
        expect(refused.body).toEqual({ title: 'Bad Request', description: `body field "${key}" must not be null` });
      }
      expect(await get('sessions', sessionId)).toEqual(after);
    });

    it('updates by replacing each top-level key, replaces keeping its jobs, and guards both with If-Match', async () => {
      const { jobs, sessionId, get, headers } = await setup();
      await server.request('PUT', `${prefix}/sessions/${sessionId}/jobs/${jobs[0]}`, { headers });
      const url = `${prefix}/sessions/${sessionId}`;
      const patched = await server.request('PATCH', url, {
        json: { schedule: { schedule_hour: '03' }, description: 'x' },
        headers: { ...headers, 'If-Match': '"2"' },
      });
      expect(patched.body).toEqual({ session_id: sessionId, version: 3 });
      expect((await get('sessions', sessionId)).schedule).toEqual({ schedule_hour: '03' });
      expect(
        (await server.request('PATCH', url, { json: { description: 'y' }, headers: { ...headers, 'If-Match': '"2"' } })).status,
      ).toBe(412);
      const replaced = await server.request('POST', url, {
        json: { schedule: { schedule_date: '2031-01-01T00:00:00' } },
        headers,
      });
      expect(replaced.body).toEqual({ session_id: sessionId, version: 4 });
      const session = await get('sessions', sessionId);
      expect(session.schedule).toEqual({ schedule_date: '2031-01-01T00:00:00' });
      expect(Object.keys(session.jobs)).toEqual([jobs[0]]);
      expect(session.description).toBeUndefined();
      const created = await server.request('POST', `${prefix}/sessions/test-session-${version}`, {
        json: { session_tag: 1, hold_off: 5, schedule: {}, jobs: [] },
        headers,
      });
      expect(created.body).toEqual({ session_id: `test-session-${version}`, version: 1 });
    });
  });
});
