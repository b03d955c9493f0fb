// The server's command line, run as a process: `policy` prints the rules in effect, and a broken
// policy file stops start-up with one line.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_RULES } from '../../src/auth/policy-rules';
import { tempDir } from '../helpers/temp-dir';

const ROOT = path.join(__dirname, '..', '..');
const dir = tempDir('freezer-main-');

function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'src/main.ts', ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...env },
      timeout: 20000,
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

it('`policy` prints every rule in effect as YAML, with its description, the file overriding the defaults', () => {
  const file = path.join(dir, 'policy.yaml');
  writeFileSync(file, '"backups:delete": "role:admin"\n');
  const { status, stdout, stderr } = run(['policy'], { FREEZER_API_POLICY_FILE: file });
  expect([status, stderr]).toEqual([0, '']);
  const expected = Object.fromEntries(DEFAULT_RULES.map((r) => [r.name, r.check]));
  expected['backups:delete'] = 'role:admin';
  expect(parse(stdout)).toEqual(expected);
  expect(stdout).toContain('# Delete backup.\n"backups:delete": "role:admin"\n');
  expect(run(['policy']).stdout).toContain('"backups:delete": "rule:admin_or_owner_or_service"\n');
});

it('refuses to start with a policy file whose rule does not parse, in one line naming it', () => {
  const file = path.join(dir, 'broken.yaml');
  writeFileSync(file, '"jobs:create": "role:admin or or role:member"\n');
  const { status, stdout, stderr } = run(['--port', '0', '--policy-file', file]);
  expect(status).toBe(2);
  expect(stdout).toBe('');
  expect(stderr).toBe(
    `freezer-api: cannot start: policy file ${file}: rule "jobs:create": cannot parse "role:admin or or role:member": expected a check at "or"\n`,
  );
  expect(run(['policy', '--policy-file', file]).status).toBe(2);
});
