// The server as operators run it: its own process (src/main.ts, compiled on load by tsx's
// loader inside that one process, so signals and memory are the server's own), configured by
// environment variables, stopped by signals. For the suites about shutdown, database faults and
// several processes on one database, which an in-process server cannot show.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = path.join(__dirname, '..', '..');

export interface ServerProcess {
  /** `http://127.0.0.1:<port>`, read from the server's "listening on" line. */
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  exited: Promise<number | string>;
  /** SIGKILL if still running: for afterAll/afterEach, so no test leaves a process behind. */
  kill(): Promise<void>;
}

/** The process ended before it listened: its exit code (or signal) and everything it wrote. */
export class ServerExitedError extends Error {
  constructor(
    readonly code: number | string,
    readonly output: string,
  ) {
    super(`server exited (${code}) before listening:\n${output}`);
  }
}

/**
 * Starts `src/main.ts --port 0` with `env` (over a minimal PATH) and waits for it to listen.
 * Rejects with its output if it has not listened within `startTimeoutMs`, or with a
 * ServerExitedError if it exits first.
 */
export function startServerProcess(env: Record<string, string>, startTimeoutMs = 30000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--host', '127.0.0.1', '--port', '0'], {
    cwd: ROOT,
    // Warnings and errors only, unless a test reads the request log: a load run's lines would
    // fill this process's memory (the start-up and shutdown lines are written at any level).
    env: { PATH: process.env.PATH, FREEZER_API_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill().then(() => reject(new Error(`server did not start within ${startTimeoutMs} ms:\n${output}`)));
    }, startTimeoutMs);
    const onData = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({ url: match[1]!, child, output: () => output, exited, kill });
    };
    child.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new ServerExitedError(code, output));
    });
  });
}

/** The process's exit code (or signal), or 'still running' if it has not exited within `ms`. */
export async function exitWithin(server: ServerProcess, ms: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
  try {
    return await Promise.race([server.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for the process to write a line matching `pattern`; resolves with the ms since `since` (a `performance.now()`). */
export async function lineWritten(
  server: ServerProcess,
  pattern: RegExp,
  since = performance.now(),
  timeoutMs = 10000,
): Promise<number> {
  while (!pattern.test(server.output())) {
    if (performance.now() - since > timeoutMs)
      throw new Error(`no line matching ${String(pattern)} within ${timeoutMs} ms:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return performance.now() - since;
}
