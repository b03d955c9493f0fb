// Jobs over HTTP, v1 and v2, on every engine.
import { engineRows } from '../helpers/engines';
import { checkEach } from '../helpers/failures';
import { serverFor, VERSIONS } from '../helpers/http';
import { startingWith } from '../helpers/matchers';

type Job = Record<string, unknown> & { job_schedule: Record<string, unknown>; job_actions?: Record<string, unknown>[] };

const SEED_CLIENT = '5c869f05e23149e4bf18639f2dd96380_my-workstation';
/** The customer's API document's jobs, exactly as written (a single `job_action`, string levels). */
const SEED_JOB_WEEKDAYS = {
  client_id: SEED_CLIENT,
  job_action: {
    action: 'backup',
    backup_name: 'workday_backup_of_my_work_stuff',
    container: 'my_backups',
    max_level: '4',
    path_to_backup: '/home/me/work_stuff',
  },
  job_schedule: { schedule_day_of_week: 'tue,wed,thu,fri,sat', schedule_hour: '03', schedule_minute: '20' },
};
const SEED_JOB_INTERVAL = {
  client_id: SEED_CLIENT,
  job_action: {
    action: 'backup',
    backup_name: 'daily_backup_my_documents',
    container: 'my_backups',
    max_level: '7',
    path_to_backup: '/home/me/my_documents',
  },
  job_schedule: { schedule_interval: '1 days', schedule_start_date: '2015-06-02T03:20:00' },
};
const STEP = {
  freezer_action: { action: 'backup', mode: 'fs', backup_name: 'jb', path_to_backup: '/etc', container: 'c1', storage: 'local' },
  max_retries: 3,
  max_retries_interval: 10,
};

const MERGE_PATCH = { 'Content-Type': 'application/merge-patch+json' };
/** The run state a job's schedule starts with. */
const RUN_STATE = { time_created: expect.any(Number), time_started: -1, time_ended: -1 };

describe.each(engineRows)('jobs on %s', (_name, engine) => {
  // Bound to the user in both versions (FREEZER_API_SCOPE=user, the 13.x–18.x rule), so that each
  // test's user sees only its own; test/http/project-scope.test.ts covers the default.
  const server = serverFor(engine, { scope: 'user' });

  describe.each(VERSIONS)('%s', (version, prefix) => {
    let n = 0;
    /** A user of its own for each test, with the seed client registered. */
    const freshUser = async (client: object = { client_id: SEED_CLIENT }) => {
      const headers = { 'X-User-Id': `jobs-${version}-${++n}` };
      expect((await server.request('POST', `${prefix}/clients`, { json: client, headers })).status).toBe(201);
      return headers;
    };
    const getJob = async (id: string, headers: Record<string, string>) => {
      const res = await server.request('GET', `${prefix}/jobs/${id}`, { headers });
      expect(res.status).toBe(200);
      return res.body as Job;
    };

    it("accepts the seed's jobs as written and returns them with the server's fields", async () => {
      const headers = await freshUser();
      const seeds = [
        ['weekdays', SEED_JOB_WEEKDAYS],
        ['interval', SEED_JOB_INTERVAL],
      ] as const;
      await checkEach(
        seeds,
        async ([, seed]) => {
          const before = Math.floor(Date.now() / 1000);
          const created = await server.request('POST', `${prefix}/jobs`, { json: seed, headers });
          expect(created.status).toBe(201);
          const { job_id } = created.body as { job_id: string };
          expect(created.headers.etag).toBe('"1"');
          const job = await getJob(job_id, headers);
          expect(job).toEqual({
            job_id,
            user_id: headers['X-User-Id'],
            project_id: version === 'v2' ? 'proj-a' : null,
            client_id: SEED_CLIENT,
            session_id: '',
            session_tag: 0,
            job_action: seed.job_action,
            job_schedule: { ...seed.job_schedule, time_created: expect.any(Number), time_started: -1, time_ended: -1 },
            version: 1,
          });
          expect(job.job_schedule.time_created).toBeGreaterThanOrEqual(before);
        },
        ([name]) => `the ${name} seed`,
      );
    });

    it('ignores server-owned fields in the body, as tempest posts them, and takes its job_id', async () => {
      const headers = await freshUser();
      const json = {
        job_id: `blabla-${version}`,
        user_id: 'blabla',
        project_id: 'elsewhere',
        version: 7,
        _version: 3,
        // A clone (the web UI's) posts a job read back, its trust with it: never taken from a body.
        user_credentials: { trust_id: 'forged', trustor_user_id: 'someone' },
        client_id: SEED_CLIENT,
        description: 'd',
        job_schedule: { time_created: 1, time_started: 2, time_ended: 3, status: 'stop', event: '' },
        job_actions: [{ ...STEP, exit_status: 'ok' }],
      };
      const { job_id } = (await server.request('POST', `${prefix}/jobs`, { json, headers })).body as { job_id: string };
      expect(job_id).toBe(`blabla-${version}`);
      const job = await getJob(job_id, headers);
      expect(job).toMatchObject({ user_id: headers['X-User-Id'], version: 1, description: 'd' });
      // The id is taken now, for everyone.
      const again = await server.request('POST', `${prefix}/jobs`, { json, headers: await freshUser() });
      expect(again.status).toBe(409);
      expect(again.body).toEqual({ title: 'Document already existing', description: `Job already registered with ID ${job_id}` });
      expect(job.job_schedule).toMatchObject({ status: 'stop', time_started: -1, time_ended: -1 });
      expect(job.job_schedule.time_created).not.toBe(1);
      expect(job).not.toHaveProperty('user_credentials');
    });

    it('stores every step as an action and stamps the step with it', async () => {
      const headers = await freshUser();
      const json = { client_id: SEED_CLIENT, job_actions: [STEP, { ...STEP, mandatory: true }] };
      const { job_id } = (await server.request('POST', `${prefix}/jobs`, { json, headers })).body as { job_id: string };
      const job = await getJob(job_id, headers);
      const steps = job.job_actions!;
      expect(steps).toHaveLength(2);
      const projectId = version === 'v2' ? 'proj-a' : null;
      expect(steps).toMatchObject(
        steps.map(() => ({
          ...STEP,
          action_id: expect.stringMatching(/^[0-9a-f]{32}$/),
          user_id: headers['X-User-Id'],
          project_id: projectId,
        })),
      );
      const listed = (await server.request('GET', `${prefix}/actions`, { headers })).body as { actions: { action_id: string }[] };
      expect(listed.actions.map((a) => a.action_id)).toEqual(steps.map((s) => s.action_id));

      // Sending the job back as read creates no new actions; a changed step becomes a new action.
      await server.request('POST', `${prefix}/jobs/${job_id}`, { json: job, headers });
      expect(
        ((await server.request('GET', `${prefix}/actions`, { headers })).body as { actions: unknown[] }).actions,
      ).toHaveLength(2);
      const changed = { ...job, job_actions: [{ ...steps[0], max_retries: 9 }, steps[1]] };
      await server.request('POST', `${prefix}/jobs/${job_id}`, { json: changed, headers });
      const after = await getJob(job_id, headers);
      expect(after.job_actions![0]!.action_id).not.toBe(steps[0]!.action_id);
      expect(after.job_actions![1]!.action_id).toBe(steps[1]!.action_id);
      expect(
        ((await server.request('GET', `${prefix}/actions`, { headers })).body as { actions: unknown[] }).actions,
      ).toHaveLength(3);
    });

    it('fills steps from action_defaults and does not store them', async () => {
      const headers = await freshUser();
      const json = {
        client_id: SEED_CLIENT,
        action_defaults: { storage: 'swift', container: 'default_c' },
        job_actions: [{ freezer_action: { action: 'backup', container: 'mine', storage: null } }],
      };
      const { job_id } = (await server.request('POST', `${prefix}/jobs`, { json, headers })).body as { job_id: string };
      const job = await getJob(job_id, headers);
      expect(job.action_defaults).toBeUndefined();
      expect(job.job_actions![0]!.freezer_action).toEqual({ action: 'backup', container: 'mine', storage: 'swift' });
    });

    it.each([
      ['an unregistered client', { client_id: 'nobody_host', job_actions: [STEP] }, 'Client not found with ID nobody_host'],
      [
        'an unsupported mode',
        { job_actions: [{ freezer_action: { action: 'backup', mode: 'mysql' } }] },
        `Client ${SEED_CLIENT} does not support mode: mysql`,
      ],
      [
        'an unsupported engine',
        { job_actions: [{ freezer_action: { action: 'backup', engine_name: 'rsync' } }] },
        `Client ${SEED_CLIENT} does not support engine: rsync`,
      ],
      [
        'an unsupported action in job_action',
        { job_action: { action: 'exec' } },
        `Client ${SEED_CLIENT} does not support action: exec`,
      ],
    ])('answers 422 to %s, storing nothing', async (_case, json, description) => {
      const headers = await freshUser({
        client_id: SEED_CLIENT,
        supported_actions: ['backup'],
        supported_modes: ['fs'],
        supported_engines: ['tar'],
      });
      const res = await server.request('POST', `${prefix}/jobs`, { json: { client_id: SEED_CLIENT, ...json }, headers });
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ title: 'Unprocessable Entity', description });
      expect((await server.request('GET', `${prefix}/jobs`, { headers })).body).toEqual({ jobs: [] });
      expect((await server.request('GET', `${prefix}/actions`, { headers })).body).toEqual({ actions: [] });
    });

    it.each([
      ['no client_id', { job_actions: [STEP] }, 'body is missing required property "client_id"'],
      ['no steps', { client_id: SEED_CLIENT }, "a job needs 'job_actions' (or the v1 document's 'job_action')"],
      [
        'a step without freezer_action',
        { client_id: SEED_CLIENT, job_actions: [{ max_retries: 1 }] },
        "every job action needs a 'freezer_action'",
      ],
      [
        'an unknown top-level key',
        { client_id: SEED_CLIENT, job_actions: [STEP], extra_field: 1 },
        'body has unknown property "extra_field"',
      ],
      [
        'an unknown schedule key',
        { client_id: SEED_CLIENT, job_actions: [STEP], job_schedule: { bogus: 1 } },
        'body field "job_schedule" has unknown property "bogus"',
      ],
      [
        'a bad interval',
        { client_id: SEED_CLIENT, job_actions: [STEP], job_schedule: { schedule_interval: 'daily' } },
        'body field "job_schedule.schedule_interval" must match pattern',
      ],
      ['a bad client id', { client_id: 'bad%project$id_host', job_actions: [STEP] }, 'body field "client_id" must match pattern'],
    ])('answers 400 to %s', async (_case, json, description) => {
      const headers = await freshUser();
      const res = await server.request('POST', `${prefix}/jobs`, { json, headers });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ description: startingWith(description) });
    });

    it("replaces each top-level key a PATCH sends, the schedule keeping its run state (the web UI's Edit Job)", async () => {
      const headers = await freshUser();
      const { job_id } = (await server.request('POST', `${prefix}/jobs`, { json: SEED_JOB_INTERVAL, headers })).body as {
        job_id: string;
      };
      const created = await getJob(job_id, headers);
      const report = { status: 'completed', result: 'success', event: '', current_pid: 77 };
      const reported = await server.request('PATCH', `${prefix}/jobs/${job_id}`, {
        json: { job_schedule: { ...created.job_schedule, ...report } },
        headers,
      });
      expect(reported.status).toBe(200);
      expect(reported.body).toEqual({ job_id, version: 2 });
      expect(reported.headers.etag).toBe('"2"');
      const runState = { ...RUN_STATE, ...report };

      const edited = {
        description: 'nightly',
        job_schedule: { schedule_interval: '1 days', schedule_start_date: '2026-12-01T00:00:00' },
      };
      expect((await server.request('PATCH', `${prefix}/jobs/${job_id}`, { json: edited, headers })).body).toEqual({
        job_id,
        version: 3,
      });
      expect(await getJob(job_id, headers)).toEqual({
        ...created,
        description: 'nightly',
        job_schedule: { ...runState, ...edited.job_schedule },
        version: 3,
      });

      // Interval, start and end cleared: the form sends an empty schedule.
      const cleared = await server.request('PATCH', `${prefix}/jobs/${job_id}`, {
        json: { description: 'x', job_schedule: {} },
        headers,
      });
      expect(cleared.status).toBe(200);
      expect(await getJob(job_id, headers)).toEqual({ ...created, description: 'x', job_schedule: runState, version: 4 });

      // A key it does not send stays as it was.
      await server.request('PATCH', `${prefix}/jobs/${job_id}`, { json: { session_name: 'n' }, headers });
      expect(await getJob(job_id, headers)).toEqual({
        ...created,
        description: 'x',
        session_name: 'n',
        job_schedule: runState,
        version: 5,
      });
    });

    it("sets the seed's event, keeping the run state; its other schedule keys go, as on the original", async () => {
      const headers = await freshUser();
      const { job_id } = (await server.request('POST', `${prefix}/jobs`, { json: SEED_JOB_INTERVAL, headers })).body as {
        job_id: string;
      };
      const created = await getJob(job_id, headers);
      const res = await server.request('PATCH', `${prefix}/jobs/${job_id}`, {
        json: { job_schedule: { event: 'start' } },
        headers,
      });
      expect(res.status).toBe(200);
      expect(await getJob(job_id, headers)).toEqual({
        ...created,
        job_schedule: { time_created: created.job_schedule.time_created, time_started: -1, time_ended: -1, event: 'start' },
        version: 2,
      });
    });

    it('merges an application/merge-patch+json PATCH recursively, null deleting a key (RFC 7386)', async () => {
      const headers = await freshUser();
      const { job_id } = (await server.request('POST', `${prefix}/jobs`, { json: SEED_JOB_INTERVAL, headers })).body as {
        job_id: string;
      };
      const created = await getJob(job_id, headers);
      const patch = {
        description: 'merged',
        job_schedule: { schedule_start_date: null, schedule_end_date: '2027-01-01T00:00:00', status: 'scheduled' },
        job_action: { max_level: null, container: 'other' },
      };
      const res = await server.request('PATCH', `${prefix}/jobs/${job_id}`, {
        json: patch,
        headers: { ...headers, ...MERGE_PATCH },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ job_id, version: 2 });
      const { max_level: _gone, ...action } = SEED_JOB_INTERVAL.job_action;
      expect(await getJob(job_id, headers)).toEqual({
        ...created,
        description: 'merged',
        job_action: { ...action, container: 'other' },
        job_schedule: {
          ...RUN_STATE,
          schedule_interval: '1 days',
          schedule_end_date: '2027-01-01T00:00:00',
          status: 'scheduled',
        },
        version: 2,
      });
      // Deleting a key the job may go without; arrays replace whole.
      const deleted = await server.request('PATCH', `${prefix}/jobs/${job_id}`, {
        json: { description: null, job_actions: [STEP], job_action: null },
        headers: { ...headers, ...MERGE_PATCH },
      });
      expect(deleted.status).toBe(200);
      const after = await getJob(job_id, headers);
      expect(after).not.toHaveProperty('description');
      expect(after).not.toHaveProperty('job_action');
      expect(after.job_actions).toEqual([expect.objectContaining({ freezer_action: STEP.freezer_action })]);
    });

    it('refuses a merge patch that would leave an invalid job, and writes nothing', async () => {
      const headers = await freshUser();
      const { job_id } = (
        await server.request('POST', `${prefix}/jobs`, { json: { client_id: SEED_CLIENT, job_actions: [STEP] }, headers })
      ).body as { job_id: string };
      const created = await getJob(job_id, headers);
      const refusals: [object, string][] = [
        [{ client_id: null }, 'body field "client_id" must not be null'],
        [{ job_schedule: null }, 'body field "job_schedule" must not be null'],
        [{ session_tag: null }, 'body field "session_tag" must not be null'],
        [{ job_actions: null }, "a job needs 'job_actions' (or the v1 document's 'job_action')"],
        [{ job_schedule: { schedule_interval: 'sometimes' } }, 'body field "job_schedule.schedule_interval" must match pattern'],
        [{ job_schedule: { event: 'later' } }, 'body field "job_schedule.event" must be one of'],
        [{ unknown: null }, 'body has unknown property "unknown"'],
      ];
      await checkEach(refusals, async ([patch, description]) => {
        const res = await server.request('PATCH', `${prefix}/jobs/${job_id}`, {
          json: patch,
          headers: { ...headers, ...MERGE_PATCH },
        });
        expect(res.status).toBe(400);
        expect((res.body as { description: string }).description).toContain(description);
      });
      expect(await getJob(job_id, headers)).toEqual(created);
      // The same nulls are not deletions in an application/json body: they are refused too.
      const plain = await server.request('PATCH', `${prefix}/jobs/${job_id}`, { json: { client_id: null }, headers });
      expect(plain.status).toBe(400);
      expect(await getJob(job_id, headers)).toEqual(created);
    });

    it('ignores user_credentials in a PATCH (the web UI and the CLI send documents back), in either media type', async () => {
      const headers = await freshUser();
      const { job_id } = (
        await server.request('POST', `${prefix}/jobs`, { json: { client_id: SEED_CLIENT, job_actions: [STEP] }, headers })
      ).body as { job_id: string };
      const created = await getJob(job_id, headers);
      const credentials = { user_credentials: { trust_id: 'not-yours', trustor_user_id: 'someone' } };
      const json = await server.request('PATCH', `${prefix}/jobs/${job_id}`, { json: { ...created, ...credentials }, headers });
      expect(json.status).toBe(200);
      const merged = await server.request('PATCH', `${prefix}/jobs/${job_id}`, {
        json: { ...credentials, description: 'd' },
        headers: { ...headers, ...MERGE_PATCH },
      });
      expect(merged.status).toBe(200);
      const emptied = await server.request('PATCH', `${prefix}/jobs/${job_id}`, { json: { user_credentials: {} }, headers });
      expect(emptied.status).toBe(200);
      expect(await getJob(job_id, headers)).toEqual({ ...created, description: 'd', version: 4 });
    });

    it("accepts the scheduler's whole-document PATCH and keeps the server's fields", async () => {
      const headers = await freshUser();
      const { job_id } = (
        await server.request('POST', `${prefix}/jobs`, { json: { client_id: SEED_CLIENT, job_actions: [STEP] }, headers })
      ).body as { job_id: string };
      const job = await getJob(job_id, headers);
      const sentBack = {
        ...job,
        job_id: 'other',
        user_id: 'someone',
        project_id: 'other',
        _version: 5,
        job_schedule: { ...job.job_schedule, status: 'running', current_pid: 4242, result: '', time_started: 1700000000 },
      };
      expect((await server.request('PATCH', `${prefix}/jobs/${job_id}`, { json: sentBack, headers })).status).toBe(200);
      const after = await getJob(job_id, headers);
      expect(after).toEqual({ ...job, job_schedule: sentBack.job_schedule, version: 2 });
      expect(
        ((await server.request('GET', `${prefix}/actions`, { headers })).body as { actions: unknown[] }).actions,
      ).toHaveLength(1);
    });

    it('creates or replaces under a given id, keeping the creation time', async () => {
      const headers = await freshUser();
      const body = { client_id: SEED_CLIENT, job_actions: [STEP], job_schedule: { schedule_interval: '1 days' } };
      const id = `my-nightly-job-${version}`;
      const first = await server.request('POST', `${prefix}/jobs/${id}`, { json: body, headers });
      expect(first.status).toBe(201);
      expect(first.body).toEqual({ job_id: id, version: 1 });
      const created = await getJob(id, headers);
      const second = await server.request('POST', `${prefix}/jobs/${id}`, {
        json: { ...body, description: 'replaced', user_credentials: { trust_id: 'forged', trustor_user_id: 'x' } },
        headers,
      });
      expect(second.body).toEqual({ job_id: id, version: 2 });
      const replaced = await getJob(id, headers);
      expect(replaced.description).toBe('replaced');
      expect(replaced).not.toHaveProperty('user_credentials');
      expect(replaced.job_schedule.time_created).toBe(created.job_schedule.time_created);
      // Ids name one job in the whole service: another owner replacing it gets 409, and nothing changes.
      const other = await freshUser();
      const taken = await server.request('POST', `${prefix}/jobs/${id}`, { json: body, headers: other });
      expect(taken.status).toBe(409);
      expect(taken.body).toEqual({ title: 'Document already existing', description: `Job ID ${id} is taken by another owner` });
      expect(await getJob(id, headers)).toMatchObject({ description: 'replaced', version: 2 });
    });

    it('records start, stop and abort requests once each', async () => {
      const headers = await freshUser();
      const { job_id } = (
        await server.request('POST', `${prefix}/jobs`, {
          json: { client_id: SEED_CLIENT, job_actions: [STEP], job_schedule: { status: 'completed', result: 'fail' } },
          headers,
        })
      ).body as { job_id: string };
      // The value is ignored: null as the clients send it, or true.
      const event = async (name: string, value: true | null = null) => {
        const res = await server.request('POST', `${prefix}/jobs/${job_id}/event`, { json: { [name]: value }, headers });
        expect(res.status).toBe(202);
        return (res.body as { result: string }).result;
      };
      expect(await event('start')).toBe('success');
      expect((await getJob(job_id, headers)).job_schedule).toMatchObject({ event: 'start', status: '', result: '' });
      expect(await event('start')).toBe('start already requested');
      expect(await event('stop')).toBe('success');
      expect(await event('stop')).toBe('stop already requested');
      expect(await event('abort')).toBe('success');
      expect(await event('abort', true)).toBe('abort already requested');
      expect((await getJob(job_id, headers)).version).toBe(4);
      const bodies = [{ explode: null }, {}, { start: null, stop: null }, { remove: null }, { start: 'now' }, { stop: false }];
      await checkEach(bodies, async (body) => {
        expect((await server.request('POST', `${prefix}/jobs/${job_id}/event`, { json: body, headers })).status).toBe(400);
      });
      const missing = await server.request('POST', `${prefix}/jobs/nope/event`, { json: { start: null }, headers });
      expect(missing.status).toBe(404);
    });

    it('deletes with 204 (v2) or 404 for nothing (v1), leaving the actions', async () => {
      const headers = await freshUser();
      const { job_id } = (
        await server.request('POST', `${prefix}/jobs`, { json: { client_id: SEED_CLIENT, job_actions: [STEP] }, headers })
      ).body as { job_id: string };
      expect((await server.request('DELETE', `${prefix}/jobs/${job_id}`, { headers: { 'X-User-Id': 'mallory' } })).status).toBe(
        version === 'v2' ? 204 : 404,
      );
      expect((await server.request('DELETE', `${prefix}/jobs/${job_id}`, { headers })).status).toBe(204);
      expect((await server.request('GET', `${prefix}/jobs/${job_id}`, { headers })).status).toBe(404);
      expect((await server.request('DELETE', `${prefix}/jobs/${job_id}`, { headers })).status).toBe(version === 'v2' ? 204 : 404);
      expect(
        ((await server.request('GET', `${prefix}/actions`, { headers })).body as { actions: unknown[] }).actions,
      ).toHaveLength(1);
    });

    it('refuses stale writes with 412 and writes nothing', async () => {
      const headers = await freshUser();
      const { job_id } = (
        await server.request('POST', `${prefix}/jobs`, { json: { client_id: SEED_CLIENT, job_actions: [STEP] }, headers })
      ).body as { job_id: string };
      const url = `${prefix}/jobs/${job_id}`;
      expect((await server.request('GET', url, { headers })).headers.etag).toBe('"1"');
      expect(
        (await server.request('PATCH', url, { json: { description: 'a' }, headers: { ...headers, 'If-Match': '"1"' } })).status,
      ).toBe(200);
      const stale = await server.request('PATCH', url, {
        json: { description: 'b' },
        headers: { ...headers, 'If-Match': '"1"' },
      });
      expect(stale.status).toBe(412);
      expect(stale.body).toEqual({
        title: 'Precondition Failed',
        description: 'The job was changed since version 1 (it is at version 2); read it again and retry.',
      });
      const writes = [
        ['POST', url, { client_id: SEED_CLIENT, job_actions: [STEP] }],
        ['POST', `${url}/event`, { start: null }],
        ['DELETE', url, undefined],
      ] as const;
      await checkEach(
        writes,
        async ([method, path, json]) => {
          expect((await server.request(method, path, { json, headers: { ...headers, 'If-Match': 'W/"1"' } })).status).toBe(412);
        },
        ([method, path]) => `${method} ${path}`,
      );
      const job = await getJob(job_id, headers);
      expect(job).toMatchObject({ description: 'a', version: 2 });
      expect(
        (await server.request('PATCH', url, { json: { description: 'c' }, headers: { ...headers, 'If-Match': '2' } })).status,
      ).toBe(200);
      expect(
        (await server.request('PATCH', url, { json: { description: 'd' }, headers: { ...headers, 'If-Match': '*' } })).status,
      ).toBe(200);
      expect((await server.request('PATCH', url, { json: {}, headers: { ...headers, 'If-Match': 'yesterday' } })).status).toBe(
        400,
      );
      expect(
        (
          await server.request('POST', `${prefix}/jobs/not-there`, {
            json: { client_id: SEED_CLIENT, job_actions: [STEP] },
            headers: { ...headers, 'If-Match': '"1"' },
          })
        ).status,
      ).toBe(412);
    });

    it('lets exactly one of two concurrent writes with the same If-Match through', async () => {
      const headers = await freshUser();
      const { job_id } = (
        await server.request('POST', `${prefix}/jobs`, { json: { client_id: SEED_CLIENT, job_actions: [STEP] }, headers })
      ).body as { job_id: string };
      for (let round = 1; round <= 10; round++) {
        const ifMatch = { ...headers, 'If-Match': `"${round}"` };
        const results = await Promise.all(
          ['left', 'right'].map((who) =>
            server.request('PATCH', `${prefix}/jobs/${job_id}`, { json: { description: `${who}${round}` }, headers: ifMatch }),
          ),
        );
        expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
        const winner = results.find((r) => r.status === 200)!;
        expect(winner.body).toEqual({ job_id, version: round + 1 });
      }
      // Without If-Match, concurrent merge patches all apply (last writer wins), none is lost to a conflict.
      const fields = ['year', 'month', 'day', 'week', 'hour', 'minute', 'second', 'day_of_week'];
      const all = await Promise.all(
        Array.from({ length: 48 }, (_, i) =>
          server.request('PATCH', `${prefix}/jobs/${job_id}`, {
            json: { job_schedule: { [`schedule_${fields[i % 8]}`]: fields[i % 8] === 'year' ? '2030' : String(i) } },
            headers: { ...headers, ...MERGE_PATCH },
          }),
        ),
      );
      expect(all.map((r) => r.status)).toEqual(Array(48).fill(200));
      const job = await getJob(job_id, headers);
      expect(job.version).toBe(59);
      expect(Object.keys(job.job_schedule).filter((k) => k.startsWith('schedule_'))).toHaveLength(8);
    });
  });

  it('polls like the scheduler: one client, not completed, paged, with all_projects as sent', async () => {
    const headers = { 'X-User-Id': 'poller' };
    for (const client_id of ['p_node1', 'p_node2'])
      await server.request('POST', '/v2/p/clients/', { json: { client_id }, headers });
    const statuses = ['scheduled', 'completed', 'running', 'completed', '', 'stop'];
    const ids: string[] = [];
    for (const [i, status] of statuses.entries()) {
      for (const client_id of ['p_node1', 'p_node2']) {
        const res = await server.request('POST', '/v2/p/jobs/', {
          json: { client_id, description: `${i}`, job_actions: [STEP], job_schedule: { status } },
          headers,
        });
        if (client_id === 'p_node1' && status !== 'completed') ids.push((res.body as { job_id: string }).job_id);
      }
    }
    const poll = { match_not: [{ status: 'completed' }], match: [{ client_id: 'p_node1' }] };
    const page = async (offset: number, limit: number) =>
      (
        (await server.request('GET', `/v2/p/jobs/?limit=${limit}&offset=${offset}&all_projects=False`, { json: poll, headers }))
          .body as { jobs: { job_id: string }[] }
      ).jobs.map((j) => j.job_id);
    expect(await page(0, 10)).toEqual(ids);
    expect([...(await page(0, 2)), ...(await page(2, 2))]).toEqual(ids);
    // The same search as a query parameter, for clients that cannot send a GET body.
    const query = encodeURIComponent(JSON.stringify(poll));
    const viaQuery = await server.request('GET', `/v2/p/jobs?search=${query}&all_projects=True`, { headers });
    expect((viaQuery.body as { jobs: { job_id: string }[] }).jobs.map((j) => j.job_id)).toEqual(ids);
    expect((await server.request('GET', '/v2/p/jobs?search=%7Bnot-json', { headers })).status).toBe(400);
  });
});
