// The command line explains itself: --help names every setting the code reads (found in the
// source, not in the table the help is written from), --version is package.json's, and every
// mistake is one line and exit 2. Run as a process, as operators run it.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expectCannotStart, lines, ROOT, runCli, STACK_LINE } from '../helpers/cli';
import { tempDir } from '../helpers/temp-dir';

const dir = tempDir('freezer-cli-');
const BASE_ENV = { FREEZER_API_DATA_DIR: path.join(dir, 'data') };
const packageJson = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
};

/** Every FREEZER_API_* name in the server's source (tests' FREEZER_TEST_* are not settings). */
function variablesInSource(): string[] {
  const files = [path.join(ROOT, 'knexfile.ts'), ...sourceFiles(path.join(ROOT, 'src'))];
  const names = files.flatMap((file) => readFileSync(file, 'utf8').match(/FREEZER_API_[A-Z0-9_]+/g) ?? []);
  return [...new Set(names)].sort();
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((entry) => {
    const at = path.join(folder, entry);
    return statSync(at).isDirectory() ? sourceFiles(at) : at.endsWith('.ts') ? [at] : [];
  });
}

describe('--help', () => {
  let help: string;

  beforeAll(async () => {
    const result = await runCli(['--help'], BASE_ENV);
    expect([result.status, result.stderr]).toEqual([0, '']);
    help = result.stdout;
  });

  it('lists every environment variable the source reads', () => {
    const variables = variablesInSource();
    // The source must hold them all, or this test would prove little.
    expect(variables).toEqual(
      expect.arrayContaining(['FREEZER_API_DATA_DIR', 'FREEZER_API_NO_MIGRATE', 'FREEZER_API_TRUST_ROLES']),
    );
    expect(variables.length).toBeGreaterThanOrEqual(27);
    expect(variables.filter((name) => !new RegExp(`\\b${name}=`).test(help))).toEqual([]);
  });

  it('lists each flag with its variable and default, the commands, and the exit codes', () => {
    for (const line of [
      '--host HOST, FREEZER_API_HOST=HOST (default 127.0.0.1)',
      '--port PORT, FREEZER_API_PORT=PORT (default 9090)',
      '--database URL, FREEZER_API_DATABASE_URL=URL (default sqlite:<data dir>/freezer.sqlite)',
      `FREEZER_API_DATA_DIR=DIR (default ${path.join(ROOT, 'data')})`,
      '--auth noauth|keystone, FREEZER_API_AUTH=noauth|keystone (default noauth)',
      '--scope project|user, FREEZER_API_SCOPE=project|user (default project)',
      '--policy-file PATH, FREEZER_API_POLICY_FILE=PATH (default none: the built-in rules)',
      '--no-migrate, FREEZER_API_NO_MIGRATE=1|0 (default 0)',
      'FREEZER_API_DB_QUERY_TIMEOUT_MS=MS (default 5000)',
      'FREEZER_API_KEYSTONE_URL=URL (default none; required with keystone)',
    ]) {
      expect(lines(help)).toContain(`  ${line}`);
    }
    for (const command of [
      'serve',
      'migrate latest',
      'migrate status',
      'migrate rollback',
      'migrate rollback --all',
      'policy',
      'backup-db FILE',
    ]) {
      expect(help).toMatch(new RegExp(`^  ${command.replace(/[-]/g, '\\-')}  `, 'm'));
    }
    expect(help).toMatch(/^ {2}-h, --help/m);
    expect(help).toMatch(/^ {2}--version/m);
    expect(help).toMatch(/^ {2}2 {2}could not start/m);
  });

  it('is the same with -h, and after a command', async () => {
    const [short, afterCommand] = await Promise.all([
      runCli(['-h'], BASE_ENV),
      runCli(['migrate', 'rollback', '--help'], BASE_ENV),
    ]);
    expect(short).toEqual({ status: 0, stdout: help, stderr: '' });
    expect(afterCommand).toEqual({ status: 0, stdout: help, stderr: '' });
  });
});

it("--version prints package.json's version", async () => {
  expect(await runCli(['--version'], BASE_ENV)).toEqual({
    status: 0,
    stdout: `freezer-api ${packageJson.version}\n`,
    stderr: '',
  });
});

it.each([
  [['--prot', '1'], /^freezer-api: unknown option '--prot' \(freezer-api --help lists the commands and options\)\n$/],
  [['--port'], /^freezer-api: option '--port <value>' argument missing \(freezer-api --help/],
  [['frobnicate'], /^freezer-api: unknown command "frobnicate" \(freezer-api --help/],
  [['migrate', 'sideways'], /^freezer-api: unknown migrate action "sideways": latest, status or rollback \(/],
  [['migrate', 'status', '--all'], /^freezer-api: --all belongs to `migrate rollback` \(/],
  [['--all'], /^freezer-api: --all belongs to `migrate rollback` \(/],
  [['migrate', 'latest', '--no-migrate'], /^freezer-api: --no-migrate belongs to `serve` \(/],
  [['backup-db'], /^freezer-api: backup-db takes one argument, the file to write the copy to \(/],
  [['policy', 'extra'], /^freezer-api: policy takes no argument, not "extra" \(/],
])('refuses %j in one line, exit 2', async (args, line) => {
  expectCannotStart(await runCli(args, BASE_ENV), line);
});

it.each([
  [['--port', 'http'], {}, /^freezer-api: cannot start: port must be a whole number from 0 to 65535, not "http"\n$/],
  [['migrate', 'status'], { FREEZER_API_PORT: 'x' }, /^freezer-api migrate: port must be a whole number/],
  [[], { FREEZER_API_NO_MIGRATE: 'maybe' }, /^freezer-api: cannot start: FREEZER_API_NO_MIGRATE must be 1 or 0, not "maybe"\n$/],
  [
    ['backup-db', 'x'],
    { FREEZER_API_AUTH: 'keystone' },
    /^freezer-api backup-db: FREEZER_API_KEYSTONE_URL must be set when auth is keystone\n$/,
  ],
])('refuses the bad setting in %j %j in one line naming it, exit 2', async (args, env, line) => {
  expectCannotStart(await runCli(args, { ...BASE_ENV, ...env }), line);
});

it('a port in use is one line naming the host and port settings, exit 2', async () => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as net.AddressInfo;
  try {
    const result = await runCli(['--port', String(port), '--database', 'sqlite::memory:'], BASE_ENV);
    expectCannotStart(
      result,
      new RegExp(
        `^freezer-api: cannot start: cannot listen on 127\\.0\\.0\\.1 port ${port} \\(--host/--port, FREEZER_API_HOST/FREEZER_API_PORT\\): listen EADDRINUSE`,
      ),
    );
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});

it('adds the stack at debug level, after the one line', async () => {
  const result = await runCli(['--port', 'http'], { ...BASE_ENV, FREEZER_API_LOG_LEVEL: 'debug' });
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(
    /^freezer-api: cannot start: port must be a whole number from 0 to 65535, not "http"\n\w*Error: port must/,
  );
  expect(result.stderr).toMatch(STACK_LINE);
});

it('stops quietly when its reader closes the pipe early', async () => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts', 'migrate', 'status', '--database', 'sqlite::memory:'],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...BASE_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.destroy(); // as `| head -0` would
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const status = await new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? signal)));
  expect([status, stderr]).toEqual([0, '']);
});

it('keeps the default database in FREEZER_API_DATA_DIR, making the directory', async () => {
  const data = path.join(dir, 'state', 'nested');
  const result = await runCli(['migrate', 'latest'], { FREEZER_API_DATA_DIR: data });
  expect([result.status, result.stderr]).toEqual([0, '']);
  expect(existsSync(path.join(data, 'freezer.sqlite'))).toBe(true);
});

it('is package.json\'s "bin", a built file that starts with its #! line; the npm scripts use the commands', () => {
  expect(packageJson.bin).toEqual({ 'freezer-api': 'dist/src/main.js' });
  expect(readFileSync(path.join(ROOT, 'src', 'main.ts'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  expect(packageJson.scripts.migrate).toBe('tsx src/main.ts migrate');
  expect(packageJson.scripts.policy).toBe('tsx src/main.ts policy');
});
