import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createPolicy, evaluate, parseCheckString, readPolicyFile, renderPolicy, type Check } from '../../src/auth/policy';
import { DEFAULT_RULES } from '../../src/auth/policy-rules';
import { ConfigError, loadConfig } from '../../src/config';
import type { Caller } from '../../src/domain/caller';
import { tempDir } from '../helpers/temp-dir';

const role = (match: string): Check => ({ kind: 'role', match });

describe('parseCheckString', () => {
  it.each<[string, Check]>([
    ['@', { kind: 'always' }],
    ['', { kind: 'always' }],
    ['!', { kind: 'never' }],
    ['role:admin', role('admin')],
    ['rule:context_is_admin', { kind: 'rule', name: 'context_is_admin' }],
    ['project_id:%(project_id)s', { kind: 'generic', key: 'project_id', match: '%(project_id)s' }],
    // not > and > or
    ['role:a or role:b and role:c', { kind: 'or', of: [role('a'), { kind: 'and', of: [role('b'), role('c')] }] }],
    ['role:a and role:b or role:c', { kind: 'or', of: [{ kind: 'and', of: [role('a'), role('b')] }, role('c')] }],
    ['not role:a and role:b', { kind: 'and', of: [{ kind: 'not', of: role('a') }, role('b')] }],
    ['NOT not role:a', { kind: 'not', of: { kind: 'not', of: role('a') } }],
    ['(role:a or role:b) and role:c', { kind: 'and', of: [{ kind: 'or', of: [role('a'), role('b')] }, role('c')] }],
    ['((role:a))', role('a')],
    [
      'role:member and (project_id:%(project_id)s)',
      { kind: 'and', of: [role('member'), { kind: 'generic', key: 'project_id', match: '%(project_id)s' }] },
    ],
    ['role:a OR role:b', { kind: 'or', of: [role('a'), role('b')] }],
  ])('parses %j', (text, tree) => {
    expect(parseCheckString(text)).toEqual(tree);
  });

  it.each([
    ['role:a and', 'expected a check at the end'],
    ['or role:a', 'expected a check at "or"'],
    ['(role:a', 'expected ")" at the end'],
    ['role:a)', 'unexpected ")"'],
    ['role:a role:b', 'unexpected "check"'],
    ['admin', '"admin" is not a check (kind:match, @ or !)'],
    ['role:', '"role:" is not a check (kind:match, @ or !)'],
    ['not', 'expected a check at the end'],
  ])('refuses %j: %s', (text, message) => {
    expect(() => parseCheckString(text)).toThrow(message);
  });
});

describe('evaluate', () => {
  const rules = new Map<string, Check>([['is_admin', role('admin')]]);
  const creds = { user_id: 'u1', project_id: 'p1', roles: ['Member', 'reader'] };
  const target = { project_id: 'p1', user_id: 'u1' };
  const check = (text: string, t: Record<string, string> = target) => evaluate(parseCheckString(text), rules, creds, t);

  it('compares roles case-insensitively', () => {
    expect(check('role:member')).toBe(true);
    expect(check('role:MEMBER')).toBe(true);
    expect(check('role:admin')).toBe(false);
  });

  it('substitutes %(name)s from the target, and fails a check naming what the target lacks', () => {
    expect(check('project_id:%(project_id)s')).toBe(true);
    expect(check('project_id:%(project_id)s', { project_id: 'p2' })).toBe(false);
    expect(check('user_id:%(user_id)s')).toBe(true);
    expect(check('user_id:%(owner)s')).toBe(false);
    expect(check('project_id:p1')).toBe(true);
    expect(check('unknown_key:p1')).toBe(false);
    expect(check('roles:reader')).toBe(true);
  });

  it('follows rule:, @, !, not, and, or', () => {
    expect(check('rule:is_admin')).toBe(false);
    expect(check('not rule:is_admin')).toBe(true);
    expect(check('@')).toBe(true);
    expect(check('!')).toBe(false);
    expect(check('role:reader and not role:admin')).toBe(true);
    expect(check('role:admin or role:reader and project_id:p2')).toBe(false);
    expect(check('(role:admin or role:reader) and project_id:p1')).toBe(true);
  });
});

describe('createPolicy', () => {
  const caller = (roles: string[], project = 'p1'): Caller => ({
    userId: 'u1',
    projectId: 'p1',
    byUser: false,
    userName: null,
    roles,
    credentialProjectId: project,
  });

  it("defaults to upstream's rules", () => {
    const policy = createPolicy();
    expect(policy.allows('backups:get', caller(['reader']), 'p1')).toBe(true);
    expect(policy.allows('backups:get', caller(['reader']), 'p2')).toBe(false);
    expect(policy.allows('backups:create', caller(['reader']), 'p1')).toBe(false);
    expect(policy.allows('backups:create', caller(['member']), 'p1')).toBe(true);
    expect(policy.allows('backups:create', caller(['service'], 'p9'), 'p1')).toBe(true);
    expect(policy.allows('jobs:create', caller(['service'], 'p9'), 'p1')).toBe(false);
    expect(policy.allows('jobs:get_all_projects', caller(['member']), 'p1')).toBe(false);
    expect(policy.allows('clients:create_central', caller(['admin'], 'p9'), 'p1')).toBe(true);
    expect(policy.allows('sessions:job:add', caller(['_member_']), 'p1')).toBe(false);
    expect(() => policy.allows('backups:nope', caller(['admin']), 'p1')).toThrow('policy: no rule named "backups:nope"');
  });

  it('answers a refusal with 403 Access Forbidden', () => {
    expect(() => createPolicy().enforce('backups:delete', caller(['reader']), 'p1')).toThrow(
      expect.objectContaining({ status: 403, title: 'Access Forbidden', message: 'You are not allowed to access this resource' }),
    );
  });

  it('lets overrides replace any rule, base rules included', () => {
    const policy = createPolicy({ project_member: 'role:member', 'backups:delete': 'role:admin' });
    expect(policy.allows('backups:create', caller(['member']), 'another')).toBe(true);
    expect(policy.allows('backups:delete', caller(['member']), 'p1')).toBe(false);
    expect(policy.effectiveRules().find((r) => r.name === 'backups:delete')?.check).toBe('role:admin');
  });

  it.each([
    [{ 'backup:delete': 'role:admin' }, 'unknown rule "backup:delete"'],
    [{ 'backups:delete': 'role:admin or' }, 'rule "backups:delete": cannot parse "role:admin or": expected a check at the end'],
    [{ 'backups:delete': 'rule:nobody' }, 'rule "backups:delete": "rule:nobody" names no rule'],
    [
      { context_is_admin: 'rule:admin_or_owner' },
      'rule "context_is_admin" refers to itself (context_is_admin -> admin_or_owner -> context_is_admin)',
    ],
  ])('refuses %j: %s', (overrides, message) => {
    expect(() => createPolicy(overrides)).toThrow(message);
  });

  it('has every rule upstream has, once', () => {
    const names = DEFAULT_RULES.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining([
        'context_is_admin',
        'admin_or_owner',
        'admin_or_service',
        'admin_or_owner_or_service',
        'project_member',
        'project_reader',
        'admin_or_reader_or_service',
        'jobs:get_all_projects',
        'clients:create_central',
        'backups:update',
      ]),
    );
    expect(names).toHaveLength(39);
  });

  it('renders the rules as oslopolicy-policy-generator does', () => {
    const text = renderPolicy(createPolicy({ 'backups:delete': 'role:admin' }));
    expect(text).toContain('# Delete backup.\n"backups:delete": "role:admin"\n');
    expect(text).toContain('# An administrator.\n"context_is_admin": "role:admin"\n');
    expect(text.match(/^"/gm)).toHaveLength(DEFAULT_RULES.length);
  });
});

describe('policy files', () => {
  const dir = tempDir('freezer-policy-');
  const file = (name: string, text: string) => {
    const at = path.join(dir, name);
    writeFileSync(at, text);
    return at;
  };

  it('reads YAML and JSON, by content', () => {
    expect(readPolicyFile(file('p.yaml', '# comment\n"backups:delete": "role:admin"\nbackups:create: "@"\n'))).toEqual({
      'backups:delete': 'role:admin',
      'backups:create': '@',
    });
    expect(readPolicyFile(file('p.json', '{"backups:delete": "!"}'))).toEqual({ 'backups:delete': '!' });
    expect(readPolicyFile(file('empty.yaml', '# nothing\n'))).toEqual({});
  });

  it('is named by FREEZER_API_POLICY_FILE or --policy-file (which wins)', () => {
    const yaml = file('env.yaml', '"jobs:create": "role:admin"\n');
    const json = file('flag.json', '{"jobs:delete": "role:admin"}');
    expect(loadConfig({}, { FREEZER_API_POLICY_FILE: yaml }).policyRules).toEqual({ 'jobs:create': 'role:admin' });
    expect(loadConfig({ policyFile: json }, { FREEZER_API_POLICY_FILE: yaml }).policyRules).toEqual({
      'jobs:delete': 'role:admin',
    });
  });

  it.each([
    ['missing', undefined, /^policy file .*missing: cannot read it: ENOENT/],
    ['bad.yaml', '"backups:delete": [unclosed\n', /^policy file .*bad\.yaml: not valid YAML or JSON: /],
    ['bad.json', '{"backups:delete": }', /^policy file .*bad\.json: not valid YAML or JSON: /],
    ['list.yaml', '- role:admin\n', /^policy file .*list\.yaml: must be a mapping of "rule name": "check string"$/],
    ['number.yaml', 'backups:delete: 1\n', /^policy file .*number\.yaml: rule "backups:delete": the check must be a string$/],
    ['unknown.yaml', '"backup:delete": "role:admin"\n', /^policy file .*unknown\.yaml: unknown rule "backup:delete"$/],
    [
      'unparsable.yaml',
      '"backups:delete": "role:admin and or role:x"\n',
      /^policy file .*unparsable\.yaml: rule "backups:delete": cannot parse "role:admin and or role:x": expected a check at "or"$/,
    ],
  ])('stops start-up for %s with one line naming it', (name, text, message) => {
    const at = text === undefined ? path.join(dir, name) : file(name, text);
    let error: unknown;
    try {
      loadConfig({ policyFile: at }, {});
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
