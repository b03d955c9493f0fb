// A database for a server run as its own process (test/helpers/server-process.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Engine } from './engines';

/**
 * A fresh database on `engine` and how to throw it away: for SQLite a file in a new temporary
 * directory (on disk, as deployments keep it; the engine's in-memory one would live and die
 * inside the server process), otherwise the engine's own fresh database.
 */
export async function databaseForProcess(engine: Engine): Promise<{ url: string; drop(): Promise<void> }> {
  if (engine.name !== 'sqlite') return engine.create();
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'freezer-api-'));
  return {
    url: `sqlite:${path.join(dir, 'freezer.sqlite')}`,
    drop: () => fs.promises.rm(dir, { recursive: true, force: true }),
  };
}
