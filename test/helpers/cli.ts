// The command line as operators run it: src/main.ts in its own process (tsx compiles it on load),
// with only the environment given. Asynchronous, so a test can keep talking to a server while a
// command runs beside it.
import { spawn } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');

export interface CliResult {
  /** The exit code, or the signal's name. */
  status: number | string;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 60000): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ status: code ?? signal ?? 'unknown', stdout, stderr });
    });
  });
}

/** A stack trace's frame lines, which no failure of the command line may print. */
export const STACK_LINE = /^\s+at /m;

/** Exit 2 with nothing on stdout and exactly one line on stderr, matching `line`, and no stack. */
export function expectCannotStart(result: CliResult, line: RegExp): void {
  expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 2, stdout: '' });
  expect(result.stderr).toMatch(/^[^\n]+\n$/);
  expect(result.stderr).toMatch(line);
  expect(result.stderr).not.toMatch(STACK_LINE);
}

/** The lines a command printed on stdout. */
export const lines = (output: string) => output.split('\n').filter((line) => line !== '');
