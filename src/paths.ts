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

/** The directory holding package.json: the repository, or the deployment's copy of it. */
export const PACKAGE_ROOT = repositoryRoot(__dirname);

export const SPEC_PATH = path.join(PACKAGE_ROOT, 'spec', 'openapi.yaml');
export const PACKAGE_JSON_PATH = path.join(PACKAGE_ROOT, 'package.json');
