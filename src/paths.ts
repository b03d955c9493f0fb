// Files the server reads at run time, found from the repository root (src/ under tsx and Jest,
// dist/src/ once built).
import { existsSync } from 'node:fs';
import path from 'node:path';

function repositoryRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (dir === path.dirname(dir)) throw new Error(`no package.json above ${from}`);
  }
}

export const SPEC_PATH = path.join(repositoryRoot(__dirname), 'spec', 'openapi.yaml');
