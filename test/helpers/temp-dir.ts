import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A fresh directory under os.tmpdir(), removed after the enclosing describe block (or file), so a
 * run leaves nothing behind. Call it at describe or file level, not inside a test.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
