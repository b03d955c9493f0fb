// The server as operators run it: its own process (src/main.ts through tsx), configured by
// environment variables, stopped by signals. For the suites about shutdown, database faults and
// several processes on one database, which an in-process server cannot show.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Engine } from './engines';
import { descendants, listeningPid } from './process-tree';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export interface ServerProcess {
  /** `http://127.0.0.1:<port>`, read from the server's "listening on" line. */
  url: string;
  child: ChildProcess;
  /** The pid of the process that listens: tsx runs the server in a child node process of `child`. */
  serverPid(): number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  exited: Promise<number | string>;
  /**
   * SIGKILL to `child` and every process under it, if still running: for afterAll/afterEach, so no
   * test leaves a process behind (killing tsx alone would leave the server running, orphaned).
   */
  kill(): Promise<void>;
}

/**
 * Starts `src/main.ts --port 0` with `env` (over a minimal PATH) and waits for it to listen.
 * Rejects with its output if it exits or has not listened within `startTimeoutMs`.
 */
export function startServerProcess(env: Record<string, string>, startTimeoutMs = 30000): Promise<ServerProcess> {
  const child = spawn(process.execPath, [TSX, 'src/main.ts', '--host', '127.0.0.1', '--port', '0'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const kill = async () => {
    const tree = child.pid === undefined ? [] : descendants(child.pid);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const pid of tree) signal(pid, 'SIGKILL');
    await exited;
    await Promise.all(tree.map((pid) => gone(pid)));
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
      const url = match[1]!;
      const serverPid = () => listeningPid(child.pid!, Number(new URL(url).port));
      resolve({ url, child, serverPid, output: () => output, exited, kill });
    };
    child.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${output}`));
    });
  });
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Resolves once `pid` has left the process table (or after 5 s). */
async function gone(pid: number): Promise<void> {
  for (let waited = 0; waited < 5000 && fs.existsSync(`/proc/${pid}`); waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A fresh database for a server process on `engine`, and how to throw it away: for SQLite a file
 * in a new temporary directory (on disk, as deployments keep it), otherwise the engine's own.
 */
export async function databaseForProcess(engine: Engine): Promise<{ url: string; drop(): Promise<void> }> {
  if (engine.name !== 'sqlite') return engine.create();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'freezer-api-'));
  return {
    url: `sqlite:${path.join(dir, 'freezer.sqlite')}`,
    drop: () => fs.promises.rm(dir, { recursive: true, force: true }),
  };
}
