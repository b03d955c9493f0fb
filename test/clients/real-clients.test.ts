// The real OpenStack clients, unchanged, against this server in keystone mode with a real Keystone:
// the `freezer` CLI (python-freezerclient 5.0.0), freezer-scheduler and freezer-agent (13.0.0),
// as Debian packages them. They find the server through the Keystone catalog (service type
// `backup` -> http://127.0.0.1:9090, set by test/keystone/start.sh), so the server must listen on
// exactly that port. Every command's effect is checked through the HTTP API, not just its exit code.
//
// Enable: eval "$(test/keystone/start.sh)"; test/clients/install.sh; npx jest test/clients
// Each CLI run costs ~2 s (Python imports and two Keystone logins); the file takes ~90 s.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src/server';
import { TEST_LIMITS } from '../helpers/http';
import { testKeystone } from '../helpers/keystone';
import { conformanceErrors, type Exchange } from '../helpers/spec';

const PORT = 9090;
const API_URL = `http://127.0.0.1:${PORT}`;
// Debian's python3 with the OpenStack libraries; a pyenv shim earlier on PATH has none of them.
const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const CLI_TIMEOUT_MS = 30_000;
const LIFECYCLE_MS = 120_000;

const which = (command: string) =>
  SYSTEM_PATH.split(':')
    .map((dir) => path.join(dir, command))
    .find((file) => existsSync(file));
const missing = ['freezer', 'freezer-scheduler', 'freezer-agent'].filter((command) => !which(command));
if (process.env.CI && missing.length) {
  throw new Error(
    `CI is set but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not installed: run test/clients/install.sh first`,
  );
}
const keystone = missing.length ? undefined : testKeystone(); // throws in CI when Keystone is not set up

type User = 'alice' | 'bob';
const ACCOUNTS: Record<User, { password: string; project: string }> = {
  alice: { password: 'alice-secret', project: 'p1' },
  bob: { password: 'bob-secret', project: 'p2' },
};
// API documents and CLI output, checked with toMatchObject
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- read field by field, as the CLI prints them
type Doc = Record<string, any>;

interface CliResult {
  command: string;
  code: number;
  stdout: string;
  stderr: string;
}

(keystone ? describe : describe.skip)(
  'real clients: freezer CLI, freezer-scheduler, freezer-agent (needs the real clients: eval "$(test/keystone/start.sh)"; test/clients/install.sh)',
  () => {
    const ks = keystone!;
    let p1: string; // alice's project id
    let work: string; // temp dir: database, JSON files for the CLI (its cwd), the scheduler's files
    let server: RunningServer | undefined;
    let aliceToken: string;

    beforeAll(async () => {
      p1 = ks.projects.p1;
      work = mkdtempSync(path.join(os.tmpdir(), 'freezer-clients-'));
      try {
        server = await startServer({
          host: '127.0.0.1',
          port: PORT,
          databaseUrl: `sqlite:${path.join(work, 'freezer.sqlite')}`,
          bodyLimitBytes: 1024 * 1024,
          scope: 'project',
          policyRules: {},
          auth: ks.auth(),
          ...TEST_LIMITS,
        });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new Error(
            `port ${PORT} is taken: the Keystone catalog sends the clients to ${API_URL}, so this suite needs that port; stop what listens there`,
          );
        }
        throw err;
      }
      aliceToken = await ks.token('alice');
      const catalogued = await backupEndpoint();
      if (catalogued !== API_URL) {
        throw new Error(
          `the Keystone catalog's public backup endpoint is ${catalogued ?? 'missing'}, not ${API_URL}: re-run test/keystone/start.sh with FREEZER_API_URL=${API_URL}`,
        );
      }
    }, 30_000);

    afterAll(async () => {
      await server?.close();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    // ---- helpers ---------------------------------------------------------------------------------

    /** The environment of keystone.md §7: OS_* only, no --os-backup-url, no proxies. */
    function osEnv(user: User, home = work): NodeJS.ProcessEnv {
      return {
        PATH: SYSTEM_PATH,
        HOME: home,
        LANG: 'C.UTF-8',
        NO_PROXY: '127.0.0.1,localhost',
        PYTHONDONTWRITEBYTECODE: '1',
        OS_AUTH_URL: ks.url,
        OS_IDENTITY_API_VERSION: '3',
        OS_USERNAME: user,
        OS_PASSWORD: ACCOUNTS[user].password,
        OS_PROJECT_NAME: ACCOUNTS[user].project,
        OS_USER_DOMAIN_NAME: 'Default',
        OS_PROJECT_DOMAIN_NAME: 'Default',
      };
    }

    /** Runs `freezer ARGS` as a user; never rejects (the exit code is part of what tests check). */
    function cli(args: string[], user: User = 'alice'): Promise<CliResult> {
      const command = `freezer ${args.join(' ')} (as ${user})`;
      return new Promise((resolve) => {
        execFile(
          which('freezer')!,
          args,
          { cwd: work, env: osEnv(user), timeout: CLI_TIMEOUT_MS, killSignal: 'SIGKILL' },
          (err, stdout, stderr) => {
            const code = !err ? 0 : typeof err.code === 'number' ? err.code : -1; // -1: killed by the timeout
            resolve({ command, code, stdout, stderr });
          },
        );
      });
    }

    /** `freezer ARGS` that must succeed; the failure message carries what the CLI printed. */
    async function ok(args: string[], user: User = 'alice'): Promise<CliResult> {
      const result = await cli(args, user);
      if (result.code !== 0)
        throw new Error(`${result.command} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
      return result;
    }

    /** A `*-show` command's fields, as the CLI's JSON formatter prints them. */
    async function shown(args: string[], user: User = 'alice'): Promise<Doc> {
      return JSON.parse((await ok([...args, '-f', 'json'], user)).stdout) as Doc;
    }

    /** One column of a `*-list` command. With `-f value`: the CLI's JSON formatter cannot print
     *  backup-list (its "Created at" is a datetime), and an empty list prints one blank row. */
    async function listed(args: string[], column: string, user: User = 'alice'): Promise<string[]> {
      const { stdout } = await ok([...args, '-f', 'value', '-c', column], user);
      return stdout
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
    }

    /** The id from the CLI's "<Kind> <id> created" log line (it prints nothing else on create). */
    function createdId(result: CliResult, kind: string): string {
      const match = new RegExp(`${kind} (\\S+) created`).exec(result.stderr);
      if (!match) throw new Error(`${result.command} did not report a created ${kind.toLowerCase()}: ${result.stderr}`);
      return match[1]!;
    }

    /** Writes a JSON document into the CLI's working directory; returns its name for --file. */
    function jsonFile(name: string, doc: unknown): string {
      writeFileSync(path.join(work, name), JSON.stringify(doc));
      return name;
    }

    /** Our HTTP API with a user's token (alice's by default), every response checked against the spec. */
    async function api(method: string, urlPath: string, options: { token?: string; json?: unknown } = {}): Promise<Exchange> {
      const headers: Record<string, string> = { 'X-Auth-Token': options.token ?? aliceToken };
      if (options.json !== undefined) headers['Content-Type'] = 'application/json';
      const res = await fetch(API_URL + urlPath, {
        method,
        headers,
        body: options.json === undefined ? undefined : JSON.stringify(options.json),
      });
      const text = await res.text();
      const body: unknown = /json/.test(res.headers.get('content-type') ?? '') && text ? JSON.parse(text) : text;
      const exchange: Exchange = {
        method,
        path: urlPath,
        status: res.status,
        headers: Object.fromEntries(res.headers),
        body,
        text,
      };
      const problems = await conformanceErrors(exchange);
      if (problems.length)
        throw new Error(`${method} ${urlPath} -> ${res.status} breaks the spec:\n  ${problems.join('\n  ')}\n  body: ${text}`);
      return exchange;
    }

    /** alice's resource under /v2/<p1>, which must exist. */
    async function get(resource: string): Promise<Doc> {
      const res = await api('GET', `/v2/${p1}${resource}`);
      if (res.status !== 200) throw new Error(`GET ${resource} -> ${res.status} ${res.text}`);
      return res.body as Doc;
    }

    /** The status alice gets for one of her resources (200, or 404 once deleted). */
    async function statusOf(resource: string): Promise<number> {
      return (await api('GET', `/v2/${p1}${resource}`)).status;
    }

    /** A list of alice's, filtered by a search object (the `search` query parameter). */
    async function search(collection: string, searchDoc: unknown): Promise<Doc[]> {
      const res = await api('GET', `/v2/${p1}/${collection}?search=${encodeURIComponent(JSON.stringify(searchDoc))}`);
      return (res.body as Doc)[collection] as Doc[];
    }

    /** Where the CLI will look for us: the public `backup` endpoint of alice's token's catalog. */
    async function backupEndpoint(): Promise<string | undefined> {
      const res = await fetch(`${ks.url}/auth/tokens`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          auth: {
            identity: {
              methods: ['password'],
              password: { user: { name: 'alice', domain: { name: 'Default' }, password: ACCOUNTS.alice.password } },
            },
            scope: { project: { name: 'p1', domain: { name: 'Default' } } },
          },
        }),
      });
      const { token } = (await res.json()) as Doc;
      const service = (token.catalog as Doc[]).find((s) => s.type === 'backup');
      return (service?.endpoints as Doc[] | undefined)?.find((e) => e.interface === 'public')?.url;
    }

    const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;
    const BACKUP_ACTION = {
      action: 'backup',
      mode: 'fs',
      path_to_backup: '/srv/data',
      backup_name: 'nightly',
      container: '/srv/backups',
      storage: 'local',
    };

    // ---- 1. the freezer CLI, as alice ---------------------------------------------------------

    describe('freezer CLI', () => {
      it(
        'client-register, client-list, client-show, client-delete',
        async () => {
          const clientId = unique('cli-client');
          await ok([
            'client-register',
            '--file',
            jsonFile('client.json', { client_id: clientId, hostname: 'node1', description: 'a test node' }),
          ]);
          expect(await get(`/clients/${clientId}`)).toMatchObject({
            user_id: ks.users.alice,
            project_id: p1,
            client: { client_id: clientId, hostname: 'node1', description: 'a test node' },
          });

          // Independent commands run in parallel: each is ~2 s of Python start-up and Keystone logins.
          const [ids, fields] = await Promise.all([listed(['client-list'], 'Client ID'), shown(['client-show', clientId])]);
          expect(ids).toContain(clientId);
          expect(fields).toMatchObject({ 'Client ID': clientId, hostname: 'node1', description: 'a test node' });

          await ok(['client-delete', clientId]);
          expect(await statusOf(`/clients/${clientId}`)).toBe(404);
          const gone = await cli(['client-show', clientId]);
          expect(gone.code).toBe(1);
          expect(gone.stderr).toContain('Client not found');
        },
        LIFECYCLE_MS,
      );

      describe('jobs', () => {
        const clientId = unique('job-client');
        let jobId: string;

        beforeAll(async () => {
          expect((await api('POST', `/v2/${p1}/clients`, { json: { client_id: clientId, hostname: 'node2' } })).status).toBe(201);
        });

        it(
          'job-create needs --client in 5.0.0: without it the CLI refuses and sends nothing',
          async () => {
            const refused = await cli([
              'job-create',
              '--file',
              jsonFile('job.json', { description: 'no client', job_actions: [{ freezer_action: BACKUP_ACTION }] }),
            ]);
            expect(refused.code).toBe(2); // argparse
            expect(refused.stderr).toContain('the following arguments are required: --client/-C');
            expect(await search('jobs', { match: [{ description: 'no client' }] })).toEqual([]);
          },
          LIFECYCLE_MS,
        );

        it(
          'job-create --client, job-list (with and without --client), job-show, job-get',
          async () => {
            const file = jsonFile('job.json', {
              description: 'cli job',
              job_schedule: {},
              job_actions: [{ freezer_action: BACKUP_ACTION, max_retries: 2 }],
            });
            jobId = createdId(await ok(['job-create', '--file', file, '--client', clientId]), 'Job');
            const job = await get(`/jobs/${jobId}`);
            expect(job).toMatchObject({
              job_id: jobId,
              client_id: clientId,
              user_id: ks.users.alice,
              project_id: p1,
              description: 'cli job',
            });
            expect(job.job_actions).toHaveLength(1);
            expect(job.job_actions[0]).toMatchObject({ freezer_action: BACKUP_ACTION, max_retries: 2 });
            expect(job.job_schedule).toMatchObject({ time_started: -1, time_ended: -1 });

            const [all, forClient, forOther, fields, got] = await Promise.all([
              listed(['job-list'], 'Job ID'),
              listed(['job-list', '--client', clientId], 'Job ID'),
              listed(['job-list', '--client', 'no-such-client'], 'Job ID'),
              shown(['job-show', jobId]),
              ok(['job-get', jobId]),
            ]);
            expect(all).toContain(jobId);
            expect(forClient).toEqual([jobId]);
            expect(forOther).toEqual([]);
            expect(fields).toMatchObject({
              'Job ID': jobId,
              'Client ID': clientId,
              'User ID': ks.users.alice,
              Description: 'cli job',
            });
            // job-get pretty-prints the document as a Python dict.
            expect(got.stdout).toContain(`'job_id': '${jobId}'`);
            expect(got.stdout).toContain(`'client_id': '${clientId}'`);
          },
          LIFECYCLE_MS,
        );

        it(
          'job-create with job_id in the file goes through POST /jobs/{id} and keeps that id',
          async () => {
            const fixedId = unique('fixed-job');
            const file = jsonFile('job-with-id.json', {
              job_id: fixedId,
              description: 'fixed id',
              job_actions: [{ freezer_action: BACKUP_ACTION }],
            });
            expect(createdId(await ok(['job-create', '--file', file, '--client', clientId]), 'Job')).toBe(fixedId);
            expect(await get(`/jobs/${fixedId}`)).toMatchObject({
              job_id: fixedId,
              client_id: clientId,
              description: 'fixed id',
            });
          },
          LIFECYCLE_MS,
        );

        it(
          'job-update, job-start, job-stop, job-abort, job-delete',
          async () => {
            const before = await get(`/jobs/${jobId}`);
            await ok([
              'job-update',
              jobId,
              jsonFile('job-update.json', { description: 'updated job', job_schedule: { schedule_interval: '1 days' } }),
            ]);
            const updated = await get(`/jobs/${jobId}`);
            expect(updated).toMatchObject({ description: 'updated job', job_schedule: { schedule_interval: '1 days' } });
            expect(updated.version).toBeGreaterThan(before.version);

            // Events only record the request; a scheduler acts on them (section 2 below).
            await ok(['job-start', jobId]);
            expect((await get(`/jobs/${jobId}`)).job_schedule).toMatchObject({ event: 'start', status: '', result: '' });
            await ok(['job-stop', jobId]);
            expect((await get(`/jobs/${jobId}`)).job_schedule).toMatchObject({ event: 'stop' });
            await ok(['job-abort', jobId]);
            expect((await get(`/jobs/${jobId}`)).job_schedule).toMatchObject({ event: 'abort' });

            await ok(['job-delete', jobId]);
            expect(await statusOf(`/jobs/${jobId}`)).toBe(404);
            const gone = await cli(['job-show', jobId]);
            expect(gone.code).toBe(1);
            expect(gone.stderr).toContain('Job not found');
          },
          LIFECYCLE_MS,
        );
      });

      it(
        'action-create, action-list (with --search), action-show, action-update, action-delete',
        async () => {
          const name = unique('act');
          const action = { freezer_action: { ...BACKUP_ACTION, backup_name: name }, max_retries: 3, max_retries_interval: 10 };
          const actionId = createdId(await ok(['action-create', '--file', jsonFile('action.json', action)]), 'Action');
          expect(await get(`/actions/${actionId}`)).toMatchObject({
            ...action,
            action_id: actionId,
            user_id: ks.users.alice,
            project_id: p1,
          });

          const [ids, fields] = await Promise.all([listed(['action-list'], 'Action ID'), shown(['action-show', actionId])]);
          expect(ids).toContain(actionId);
          expect(fields).toMatchObject({ 'Action ID': actionId, Name: name, Container: BACKUP_ACTION.container, Max_retries: 3 });

          const renamed = `${name}-renamed`;
          await ok([
            'action-update',
            actionId,
            jsonFile('action-update.json', { freezer_action: { backup_name: renamed }, max_retries: 5 }),
          ]);
          const updated = await get(`/actions/${actionId}`);
          expect(updated).toMatchObject({ max_retries: 5, freezer_action: { backup_name: renamed } });
          expect(updated.version).toBe(2);

          // --search TEXT is sent as {"match": [{"_all": TEXT}]}: free text, or a JSON list of {key: value}.
          const searches = await Promise.all(
            [renamed, JSON.stringify([{ backup_name: renamed }]), JSON.stringify([{ backup_name: name }])].map((text) =>
              listed(['action-list', '--search', text], 'Action ID'),
            ),
          );
          expect(searches).toEqual([[actionId], [actionId], []]);

          await ok(['action-delete', actionId]);
          expect(await statusOf(`/actions/${actionId}`)).toBe(404);
        },
        LIFECYCLE_MS,
      );

      it(
        'action-create with action_id in the file goes through POST /actions/{id} and keeps that id',
        async () => {
          const fixedId = unique('fixed-action');
          const file = jsonFile('action-with-id.json', { action_id: fixedId, freezer_action: BACKUP_ACTION });
          expect(createdId(await ok(['action-create', '--file', file]), 'Action')).toBe(fixedId);
          expect(await get(`/actions/${fixedId}`)).toMatchObject({ action_id: fixedId, freezer_action: BACKUP_ACTION });
        },
        LIFECYCLE_MS,
      );

      describe('sessions', () => {
        const clientId = unique('session-client');
        let jobId: string;

        beforeAll(async () => {
          expect((await api('POST', `/v2/${p1}/clients`, { json: { client_id: clientId, hostname: 'node3' } })).status).toBe(201);
          const res = await api('POST', `/v2/${p1}/jobs`, {
            json: {
              client_id: clientId,
              description: 'in a session',
              job_schedule: {},
              job_actions: [{ freezer_action: BACKUP_ACTION }],
            },
          });
          expect(res.status).toBe(201);
          jobId = (res.body as Doc).job_id;
        });

        it(
          'session-create, session-list, session-show, session-add-job, session-update, session-remove-job, session-delete',
          async () => {
            const file = jsonFile('session.json', {
              description: 'nightly group',
              hold_off: 5,
              schedule: { schedule_interval: '2 hours' },
            });
            const sessionId = createdId(await ok(['session-create', '--file', file]), 'Session');
            expect(await get(`/sessions/${sessionId}`)).toMatchObject({
              session_id: sessionId,
              user_id: ks.users.alice,
              project_id: p1,
              description: 'nightly group',
              hold_off: 5,
              schedule: { schedule_interval: '2 hours' },
              status: 'active',
              session_tag: 0,
            });

            const [ids, fields] = await Promise.all([listed(['session-list'], 'Session ID'), shown(['session-show', sessionId])]);
            expect(ids).toContain(sessionId);
            expect(fields).toMatchObject({
              'Session ID': sessionId,
              'Session tag': 0,
              Description: 'nightly group',
              Status: 'active',
              'Hold off': 5,
            });

            await ok(['session-add-job', '--session-id', sessionId, '--job-id', jobId]);
            expect((await get(`/sessions/${sessionId}`)).jobs).toEqual({
              [jobId]: expect.objectContaining({ client_id: clientId }),
            });
            // The job takes the session's id, tag and schedule.
            expect(await get(`/jobs/${jobId}`)).toMatchObject({
              session_id: sessionId,
              session_tag: 0,
              job_schedule: { schedule_interval: '2 hours' },
            });

            await ok([
              'session-update',
              sessionId,
              jsonFile('session-update.json', { description: 'renamed group', hold_off: 10 }),
            ]);
            expect(await get(`/sessions/${sessionId}`)).toMatchObject({
              description: 'renamed group',
              hold_off: 10,
              schedule: { schedule_interval: '2 hours' },
            });

            await ok(['session-remove-job', '--session-id', sessionId, '--job-id', jobId]);
            expect((await get(`/sessions/${sessionId}`)).jobs).toEqual({});
            expect(await get(`/jobs/${jobId}`)).toMatchObject({
              session_id: '',
              session_tag: 0,
              job_schedule: { event: 'stop' },
            });

            await ok(['session-delete', sessionId]);
            expect(await statusOf(`/sessions/${sessionId}`)).toBe(404);
          },
          LIFECYCLE_MS,
        );

        // The CLI sends the tag as argparse gave it, a string: {"current_tag": "0"}.
        it(
          'session-start --job-tag 0 starts a run of the session (the CLI sends the tag as a string)',
          async () => {
            const res = await api('POST', `/v2/${p1}/sessions`, { json: { description: 'to start', hold_off: 5, schedule: {} } });
            const sessionId = (res.body as Doc).session_id as string;
            expect((await api('PUT', `/v2/${p1}/sessions/${sessionId}/jobs/${jobId}`)).status).toBe(204);

            await ok(['session-start', '--session-id', sessionId, '--job-id', jobId, '--job-tag', '0']);
            const session = await get(`/sessions/${sessionId}`);
            expect(session).toMatchObject({ session_tag: 1, status: 'running' });
            expect(session.jobs[jobId]).toMatchObject({ status: 'running' });
          },
          LIFECYCLE_MS,
        );
      });

      it(
        'backup-create, backup-list (with --search), backup-show, backup-delete',
        async () => {
          const name = unique('cli-backup');
          const metadata = {
            backup_name: name,
            container: '/srv/backups',
            hostname: 'node1',
            path_to_backup: '/srv/data',
            mode: 'fs',
            storage: 'local',
            curr_backup_level: 0,
            time_stamp: 1700000000,
          };
          const [backupId, other] = (
            await Promise.all([
              ok(['backup-create', '--file', jsonFile('backup.json', metadata)]),
              ok(['backup-create', '--file', jsonFile('backup2.json', { ...metadata, backup_name: `${name}-other` })]),
            ])
          ).map((created) => createdId(created, 'Backup')) as [string, string];
          expect(await get(`/backups/${backupId}`)).toMatchObject({
            backup_id: backupId,
            user_id: ks.users.alice,
            status: 'available', // v2 as current upstream: a status, no user_name
            project_id: p1,
            backup_metadata: metadata,
          });

          const [all, byText, byPairs, byNothing, show] = await Promise.all([
            listed(['backup-list'], 'Backup ID'),
            listed(['backup-list', '--search', `${name}-other`], 'Backup ID'),
            listed(['backup-list', '--search', JSON.stringify([{ backup_name: name }])], 'Backup ID'),
            listed(['backup-list', '--search', 'nothing-is-called-this'], 'Backup ID'),
            shown(['backup-show', backupId]),
          ]);
          expect(all).toEqual(expect.arrayContaining([backupId, other]));
          expect(byText).toEqual([other]);
          expect(byPairs).toEqual([backupId]);
          expect(byNothing).toEqual([]);
          // 5.0.0 shows "Backup ID" from a `backup_uuid` field no API version returns, so it is null.
          // v2 backups have no user_name (as current upstream), so the CLI's "User name" is empty, as on master.
          expect(show).toMatchObject({ 'Project ID': p1, 'User ID': ks.users.alice, 'User name': null });
          expect(show.Metadata).toContain(`'backup_name': '${name}'`);

          await ok(['backup-delete', backupId]);
          expect(await statusOf(`/backups/${backupId}`)).toBe(404);
          expect(await statusOf(`/backups/${other}`)).toBe(200);
        },
        LIFECYCLE_MS,
      );
    });

    // ---- 2. freezer-scheduler + freezer-agent, as alice -----------------------------------------

    describe('freezer-scheduler', () => {
      it('registers its client, runs a started job with freezer-agent (local fs backup) in a session, reports status and backup metadata', async () => {
        const dir = path.join(work, 'scheduler');
        const source = path.join(dir, 'source');
        const container = path.join(dir, 'backups');
        const jobsDir = path.join(dir, 'conf.d'); // where it saves each polled job as job_<id>.conf
        const log = path.join(dir, 'scheduler.log');
        mkdirSync(path.join(source, 'sub'), { recursive: true });
        writeFileSync(path.join(source, 'a.txt'), 'alpha\n');
        writeFileSync(path.join(source, 'b.txt'), 'beta\n');
        writeFileSync(path.join(source, 'sub', 'c.txt'), 'gamma\n');
        const clientId = unique('scheduler');

        // -i 2: poll every 2 s. HOME in the temp dir keeps the agent's ~/.freezer out of the real one.
        const scheduler = spawn(
          which('freezer-scheduler')!,
          ['--no-daemon', '-c', clientId, '-i', '2', '--conf', jobsDir, '--log-file', log, 'start'],
          {
            cwd: dir,
            env: osEnv('alice', dir),
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let output = '';
        scheduler.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        scheduler.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        scheduler.on('error', (err) => (output += `spawn failed: ${err.message}\n`));
        const deadline = Date.now() + 90_000;
        const until = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
          for (;;) {
            const value = await probe();
            if (value !== undefined) return value;
            if (scheduler.exitCode !== null || scheduler.signalCode !== null)
              throw new Error(`freezer-scheduler exited (${scheduler.exitCode ?? scheduler.signalCode}) before ${what}`);
            if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        };

        try {
          // It registers itself at start: client_id from -c, hostname from the machine.
          const client = await until('the scheduler registers its client', async () => {
            const res = await api('GET', `/v2/${p1}/clients/${clientId}`);
            return res.status === 200 ? (res.body as Doc) : undefined;
          });
          expect(client).toMatchObject({
            user_id: ks.users.alice,
            project_id: p1,
            client: { client_id: clientId, hostname: os.hostname() },
          });

          // A job for it, created stopped: a job with neither status nor event is auto-started by
          // the scheduler, so this one runs only because of the start event sent below.
          const job = {
            description: 'scheduled backup',
            job_schedule: { status: 'stop' },
            job_actions: [
              {
                freezer_action: {
                  action: 'backup',
                  mode: 'fs',
                  path_to_backup: source,
                  backup_name: 'scheduled',
                  container,
                  storage: 'local',
                  engine_name: 'tar',
                  log_file: path.join(dir, 'agent.log'),
                },
                max_retries: 0,
              },
            ],
          };
          const jobId = createdId(
            await ok(['job-create', '--file', jsonFile('scheduled-job.json', job), '--client', clientId]),
            'Job',
          );

          // It polls the job (and saves it to its conf dir) and acknowledges the stop: event "".
          await until('the scheduler picks the stopped job up', async () =>
            existsSync(path.join(jobsDir, `job_${jobId}.conf`)) && (await get(`/jobs/${jobId}`)).job_schedule.event === ''
              ? true
              : undefined,
          );
          expect((await get(`/jobs/${jobId}`)).job_schedule).toMatchObject({ status: 'stop' });
          expect(await search('backups', { match: [{ job_id: jobId }] })).toEqual([]);

          // In a session, so the scheduler also does the session start/end handshake around the run.
          const session = await api('POST', `/v2/${p1}/sessions`, {
            json: { description: 'scheduled group', hold_off: 5, schedule: {} },
          });
          const sessionId = (session.body as Doc).session_id as string;
          expect((await api('PUT', `/v2/${p1}/sessions/${sessionId}/jobs/${jobId}`)).status).toBe(204);

          await ok(['job-start', jobId]);
          const done = await until('the job completes', async () => {
            const current = await get(`/jobs/${jobId}`);
            return current.job_schedule.status === 'completed' ? current : undefined;
          });
          expect(done.job_schedule).toMatchObject({ status: 'completed', result: 'success', event: '' });
          expect(done.job_schedule.time_started).toBeGreaterThan(0);
          expect(done.job_schedule.time_ended).toBeGreaterThanOrEqual(done.job_schedule.time_started);
          expect(done.job_schedule.current_pid).toEqual(expect.any(Number)); // the agent's pid
          expect(done).toMatchObject({
            client_id: clientId,
            session_id: sessionId,
            session_tag: 1,
            job_actions: [{ freezer_action: job.job_actions[0]!.freezer_action }],
          });
          expect(await get(`/sessions/${sessionId}`)).toMatchObject({
            session_tag: 1,
            status: 'completed',
            result: 'success',
            jobs: { [jobId]: { client_id: clientId, status: 'completed', result: 'success' } },
          });

          // The agent's --metadata-out, uploaded by the scheduler with the job's id added.
          const backups = await search('backups', { match: [{ job_id: jobId }] });
          expect(backups).toHaveLength(1);
          expect(backups[0]).toMatchObject({
            user_id: ks.users.alice,
            status: 'available', // v2 as current upstream: a status, no user_name
            project_id: p1,
            backup_metadata: {
              job_id: jobId,
              backup_name: 'scheduled',
              path_to_backup: source,
              container,
              mode: 'fs',
              storage: 'local',
              curr_backup_level: 0,
              hostname: os.hostname(),
            },
          });
          // ...and the backup itself, written by freezer-agent's local storage.
          expect(readdirSync(container).sort()).toEqual(['data', 'metadata']);
          // Any failed API call (a refused PATCH, upload or poll) is logged as an ERROR.
          expect(
            readFileSync(log, 'utf8')
              .split('\n')
              .filter((line) => / (ERROR|CRITICAL) /.test(line)),
          ).toEqual([]);
        } catch (err) {
          const logText = existsSync(log) ? readFileSync(log, 'utf8') : '(no log file)';
          (err as Error).message += `\n--- scheduler log ---\n${logText}\n--- scheduler stdout/stderr ---\n${output}`;
          throw err;
        } finally {
          await stop(scheduler);
        }
      }, 120_000);
    });

    // ---- 3. isolation between the two Keystone projects, through the CLI ------------------------

    describe('isolation', () => {
      it(
        "bob (project p2) can neither list, show nor delete alice's client, job and backup",
        async () => {
          const clientId = unique('alice-node');
          await ok(['client-register', '--file', jsonFile('alice-client.json', { client_id: clientId, hostname: 'alice-node' })]);
          const [jobId, backupId] = (
            await Promise.all([
              ok([
                'job-create',
                '--file',
                jsonFile('alice-job.json', { description: 'alice job', job_actions: [{ freezer_action: BACKUP_ACTION }] }),
                '--client',
                clientId,
              ]),
              ok([
                'backup-create',
                '--file',
                jsonFile('alice-backup.json', {
                  backup_name: 'alice-backup',
                  container: '/c',
                  hostname: 'alice-node',
                  time_stamp: 1700000000,
                }),
              ]),
            ])
          ).map((created, i) => createdId(created, i === 0 ? 'Job' : 'Backup')) as [string, string];

          const [clients, jobs, clientJobs, backups, clientShow, jobShow, backupShow] = await Promise.all([
            listed(['client-list'], 'Client ID', 'bob'),
            listed(['job-list'], 'Job ID', 'bob'),
            listed(['job-list', '--client', clientId], 'Job ID', 'bob'),
            listed(['backup-list'], 'Backup ID', 'bob'),
            cli(['client-show', clientId], 'bob'),
            cli(['job-show', jobId], 'bob'),
            cli(['backup-show', backupId], 'bob'),
          ]);
          expect(clients).not.toContain(clientId);
          expect(jobs).not.toContain(jobId);
          expect(clientJobs).toEqual([]);
          expect(backups).not.toContain(backupId);
          expect(clientShow).toMatchObject({ code: 1, stderr: expect.stringContaining('Client not found') });
          expect(jobShow).toMatchObject({ code: 1, stderr: expect.stringContaining('Job not found') });
          expect(backupShow).toMatchObject({ code: 1, stderr: expect.stringContaining('Backup not found') });

          // v2 DELETE answers 204 even when nothing matched (kept from the original), so the CLI
          // says "deleted"; what matters is that alice still has everything.
          const deletes = await Promise.all([
            cli(['client-delete', clientId], 'bob'),
            cli(['job-delete', jobId], 'bob'),
            cli(['backup-delete', backupId], 'bob'),
          ]);
          expect(deletes.map((r) => r.code)).toEqual([0, 0, 0]);
          expect([
            await statusOf(`/clients/${clientId}`),
            await statusOf(`/jobs/${jobId}`),
            await statusOf(`/backups/${backupId}`),
          ]).toEqual([200, 200, 200]);
          expect(await listed(['job-list', '--client', clientId], 'Job ID', 'alice')).toEqual([jobId]);
        },
        LIFECYCLE_MS,
      );
    });
  },
);

/** SIGTERM (the scheduler exits cleanly on it), then SIGKILL if it is still there after 10 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
