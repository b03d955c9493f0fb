// One full freezer-scheduler cycle, replayed with the request shapes python-freezerclient and
// freezer-scheduler 18 send (trailing slashes, GET bodies, all_projects, whole-document PATCHes).
import { engineRows } from '../helpers/engines';
import { serverFor } from '../helpers/http';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PROJECT = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const CLIENT_ID = `${PROJECT}_backup-node-1`;
/** What every client request carries; noauth ignores the token, the user comes from X-User-Id here. */
const HEADERS = {
  'X-Auth-Token': 'gAAAAAB-token',
  'Content-Type': 'application/json',
  Accept: 'application/json',
  'X-User-Id': 'operator',
};
const V2 = `/v2/${PROJECT}`;

describe.each(engineRows)('a scheduler cycle on %s', (_name, engine) => {
  const server = serverFor(engine);

  const call = async (method: string, path: string, json?: unknown, expected?: number) => {
    const res = await server.request(method, path, { json, headers: HEADERS });
    if (expected !== undefined) expect([method, path, res.status]).toEqual([method, path, expected]);
    return res.body as Doc;
  };
  const poll = async () => {
    const search = { match_not: [{ status: 'completed' }], match: [{ client_id: CLIENT_ID }] };
    const jobs: Doc[] = [];
    for (let offset = 0; ; offset += 10) {
      const page = (await call('GET', `${V2}/jobs/?limit=10&offset=${offset}&all_projects=False`, search, 200)).jobs as Doc[];
      jobs.push(...page);
      if (page.length < 10) return jobs;
    }
  };

  it('registers, polls, runs a session job, reports back and uploads the backup', async () => {
    // Start-up: register (a second start gets 409, which the scheduler treats as "already registered").
    const registration = {
      client_id: CLIENT_ID,
      hostname: 'backup-node-1',
      supported_actions: ['backup', 'restore', 'info', 'admin', 'exec'],
      supported_modes: ['fs', 'mysql'],
      supported_storages: ['local', 'swift'],
      supported_engines: ['tar', 'rsync'],
    };
    expect(await call('POST', `${V2}/clients/`, registration, 201)).toEqual({ client_id: CLIENT_ID });
    // Schedulers register at every start: again, with changed capabilities, updates the registration.
    await call('POST', `${V2}/clients/`, { ...registration, supported_engines: ['tar'] }, 201);
    expect(await call('GET', `${V2}/clients/${CLIENT_ID}`)).toMatchObject({ client: { supported_engines: ['tar'] } });

    // The operator (freezer CLI) creates a job and a session, and starts the job.
    const job = {
      description: 'nightly etc',
      client_id: CLIENT_ID,
      job_schedule: { schedule_interval: '1 days' },
      job_actions: [
        {
          freezer_action: {
            action: 'backup',
            mode: 'fs',
            path_to_backup: '/etc',
            backup_name: 'etc',
            container: '/backups',
            storage: 'local',
            engine_name: 'tar',
          },
          max_retries: 3,
          max_retries_interval: 10,
          mandatory: true,
        },
      ],
    };
    const { job_id } = await call('POST', `${V2}/jobs/`, job, 201);
    const { session_id } = await call(
      'POST',
      `${V2}/sessions/`,
      { description: 's', schedule: { schedule_interval: '1 days' } },
      201,
    );
    await call('PUT', `${V2}/sessions/${session_id}/jobs/${job_id}`, undefined, 204);
    expect(await call('POST', `${V2}/jobs/${job_id}/event`, { start: null }, 202)).toEqual({ result: 'success' });

    // The scheduler polls and finds the job with the start request.
    let [polled] = await poll();
    expect(polled).toMatchObject({ job_id, session_id, job_schedule: { event: 'start', status: '' } });

    // It acknowledges the event, sending the whole job back as it read it.
    polled = { ...polled, job_schedule: { ...polled!.job_schedule, event: '', status: 'scheduled' } };
    expect((await call('PATCH', `${V2}/jobs/${job_id}`, polled, 200)).job_id).toBe(job_id);

    // Run: session start with the job's tag, then status running with the agent's pid.
    const started = await call(
      'POST',
      `${V2}/sessions/${session_id}/action`,
      { start: { job_id, current_tag: polled.session_tag } },
      202,
    );
    expect(started).toEqual({ result: 'success', session_tag: 1 });
    polled = { ...polled, session_tag: started.session_tag };
    const now = Math.floor(Date.now() / 1000);
    await call('PATCH', `${V2}/jobs/${job_id}`, { job_schedule: { ...polled.job_schedule, current_pid: 31337 } }, 200);
    await call(
      'PATCH',
      `${V2}/jobs/${job_id}`,
      {
        job_schedule: {
          ...polled.job_schedule,
          current_pid: 31337,
          status: 'running',
          result: '',
          time_started: now,
          time_ended: -1,
        },
      },
      200,
    );

    // The agent's metadata, with the job id added, is uploaded.
    const metadata = {
      curr_backup_level: 0,
      fs_real_path: '/etc',
      vol_snap_path: '/etc',
      client_os: 'linux',
      client_version: '18.0.0',
      time_stamp: now,
      action: 'backup',
      always_level: '',
      backup_media: 'fs',
      backup_name: 'etc',
      container: '/backups',
      container_segments: '',
      dry_run: '',
      hostname: 'backup-node-1',
      path_to_backup: '/etc',
      max_level: '',
      mode: 'fs',
      log_file: '',
      storage: 'local',
      proxy: '',
      compression: 'gzip',
      ssh_key: '',
      ssh_username: '',
      ssh_host: '',
      ssh_port: 22,
      consistency_checksum: '',
      job_id,
    };
    const { backup_id } = await call('POST', `${V2}/backups/`, metadata, 201);

    // Done: the whole document back with status completed, and the session end.
    const current = await call('GET', `${V2}/jobs/${job_id}`, undefined, 200);
    await call(
      'PATCH',
      `${V2}/jobs/${job_id}`,
      { ...current, job_schedule: { ...current.job_schedule, status: 'completed', result: 'success', time_ended: now + 5 } },
      200,
    );
    expect(
      await call('POST', `${V2}/sessions/${session_id}/action`, { end: { job_id, current_tag: 1, result: 'success' } }, 202),
    ).toEqual({ result: 'success', session_tag: 1 });

    // What the operator sees afterwards.
    expect(await poll()).toEqual([]);
    expect(await call('GET', `${V2}/jobs/${job_id}`, undefined, 200)).toMatchObject({
      job_schedule: {
        status: 'completed',
        result: 'success',
        time_started: now,
        time_ended: now + 5,
        schedule_interval: '1 days',
      },
    });
    expect(await call('GET', `${V2}/sessions/${session_id}`, undefined, 200)).toMatchObject({
      status: 'completed',
      result: 'success',
      session_tag: 1,
    });
    const backups = (await call('GET', `${V2}/backups/?limit=10&offset=0`, { match: [{ job_id }] }, 200)).backups as Doc[];
    expect(backups.map((b) => b.backup_id)).toEqual([backup_id]);
    expect(backups[0]!.backup_metadata).toEqual(metadata);
    expect((await call('GET', `${V2}/actions/`, undefined, 200)).actions as Doc[]).toHaveLength(1);
  });
});
