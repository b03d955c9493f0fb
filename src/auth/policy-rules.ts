// The default policy: current upstream freezer-api's rules (secure RBAC: reader, member, admin,
// service), each with its description as `freezer-api policy` prints it. A policy file overrides
// any of them (src/auth/policy.ts); the spec names the rule each operation needs (`x-policy`).

export interface RuleDefault {
  name: string;
  /** In oslo.policy's check language. */
  check: string;
  description: string;
}

const ADMIN_OR_OWNER = 'rule:admin_or_owner';
const ADMIN_OR_OWNER_OR_SERVICE = 'rule:admin_or_owner_or_service';
const ADMIN_OR_READER_OR_SERVICE = 'rule:admin_or_reader_or_service';
const ADMIN_OR_SERVICE = 'rule:admin_or_service';

/** The rules the named ones are built from (upstream documents none of them; these say what they are). */
const BASE: RuleDefault[] = [
  { name: 'context_is_admin', check: 'role:admin', description: 'An administrator.' },
  {
    name: 'admin_or_owner',
    check: 'rule:context_is_admin or rule:project_member',
    description: "An administrator, or a member of the target's project.",
  },
  {
    name: 'admin_or_owner_or_service',
    check: 'rule:admin_or_service or rule:project_member',
    description: "An administrator, a service, or a member of the target's project.",
  },
  { name: 'admin_or_service', check: 'role:admin or role:service', description: 'An administrator or a service.' },
  {
    name: 'project_member',
    check: 'role:member and project_id:%(project_id)s',
    description: "A member of the target's project.",
  },
  {
    name: 'project_reader',
    check: 'role:reader and project_id:%(project_id)s',
    description: "A reader of the target's project.",
  },
  {
    name: 'admin_or_reader_or_service',
    check: 'rule:admin_or_owner_or_service or rule:project_reader',
    description: "An administrator, a service, or a member or reader of the target's project.",
  },
];

const rule = (name: string, check: string, description: string): RuleDefault => ({ name, check, description });

export const DEFAULT_RULES: readonly RuleDefault[] = [
  ...BASE,
  rule('actions:create', ADMIN_OR_OWNER, 'Creates action.'),
  rule('actions:delete', ADMIN_OR_OWNER, 'Delete action.'),
  rule('actions:get', ADMIN_OR_READER_OR_SERVICE, 'Show actions.'),
  rule('actions:get_all', ADMIN_OR_READER_OR_SERVICE, 'Lists actions.'),
  rule('actions:update', ADMIN_OR_OWNER, 'Updates actions.'),
  rule('actions:replace', ADMIN_OR_OWNER, 'Creates/replaces the specified action.'),
  rule('backups:create', ADMIN_OR_OWNER_OR_SERVICE, 'Creates backup entry.'),
  rule('backups:delete', ADMIN_OR_OWNER_OR_SERVICE, 'Delete backup.'),
  rule('backups:get', ADMIN_OR_READER_OR_SERVICE, 'Show backups.'),
  rule('backups:get_all', ADMIN_OR_READER_OR_SERVICE, 'Lists backups.'),
  rule('backups:update', ADMIN_OR_OWNER_OR_SERVICE, 'Update backup entry.'),
  rule('clients:create', ADMIN_OR_OWNER, 'Create client entry.'),
  rule('clients:delete', ADMIN_OR_OWNER, 'Delete specified client.'),
  rule('clients:get', ADMIN_OR_READER_OR_SERVICE, 'Show clients.'),
  rule('clients:get_all', ADMIN_OR_READER_OR_SERVICE, 'List clients.'),
  rule('clients:create_central', ADMIN_OR_SERVICE, 'Register a central scheduler client.'),
  rule('jobs:create', ADMIN_OR_OWNER, 'Creates job.'),
  rule('jobs:delete', ADMIN_OR_OWNER, 'Delete jobs.'),
  rule('jobs:get', ADMIN_OR_READER_OR_SERVICE, 'Show jobs.'),
  rule('jobs:get_all', ADMIN_OR_READER_OR_SERVICE, 'Lists jobs.'),
  rule('jobs:get_all_projects', ADMIN_OR_SERVICE, 'Lists all projects jobs.'),
  rule('jobs:update', ADMIN_OR_OWNER, 'Updates jobs.'),
  rule('jobs:event:create', ADMIN_OR_OWNER, 'Create an event on the specified job'),
  rule('sessions:create', ADMIN_OR_OWNER, 'Creates session.'),
  rule('sessions:delete', ADMIN_OR_OWNER, 'Delete session.'),
  rule('sessions:get', ADMIN_OR_READER_OR_SERVICE, 'Show sessions.'),
  rule('sessions:get_all', ADMIN_OR_READER_OR_SERVICE, 'Lists sessions.'),
  rule('sessions:update', ADMIN_OR_OWNER, 'Updates sessions.'),
  rule('sessions:replace', ADMIN_OR_OWNER, 'Creates/replaces the specified session.'),
  rule('sessions:action:create', ADMIN_OR_OWNER, 'Executes an action on the specified session.'),
  rule('sessions:job:add', ADMIN_OR_OWNER, 'Adds a certain job to a session.'),
  rule('sessions:job:remove', ADMIN_OR_OWNER, 'Remove a job from a session.'),
];
