// Policy over HTTP in noauth mode: every operation the spec gives a rule, called by each kind of
// caller, is refused (403 Access Forbidden) or let through exactly as the default rules say; and a
// policy file's rules replace them.
import type { Operation } from 'openapi-backend';
import { engineRows } from '../helpers/engines';
import { checkEach } from '../helpers/failures';
import { serverFor, type TestServer } from '../helpers/http';
import { specApi } from '../helpers/spec';

const PROJECT = 'proj-policy';
const DENIED = { title: 'Access Forbidden', description: 'You are not allowed to access this resource' };

/** Who calls: noauth identity headers (no X-Project-Id: the credentials are for the URL's project). */
const CALLERS = {
  reader: { 'X-Roles': 'reader' },
  member: { 'X-Roles': 'member' },
  admin: { 'X-Roles': 'admin', 'X-Project-Id': 'admins-project' },
  service: { 'X-Roles': 'service', 'X-Project-Id': 'service-project' },
  none: { 'X-Roles': '_member_,custom' },
  otherProjectMember: { 'X-Roles': 'member', 'X-Project-Id': 'other-project' },
} as const;
type CallerName = keyof typeof CALLERS;

/**
 * Who the defaults let through, written out by kind of rule rather than computed from the rules:
 * readers read; members do everything in their own project; services read and write backups
 * anywhere; admins do everything anywhere; a role the rules do not know, or a member of another
 * project, does nothing.
 */
const ALLOWED: Record<'read' | 'write' | 'backupWrite', readonly CallerName[]> = {
  read: ['reader', 'member', 'admin', 'service'],
  write: ['member', 'admin'],
  backupWrite: ['member', 'admin', 'service'],
};

const KIND_OF_RULE: Record<string, keyof typeof ALLOWED> = {
  'actions:get': 'read',
  'actions:get_all': 'read',
  'actions:create': 'write',
  'actions:replace': 'write',
  'actions:update': 'write',
  'actions:delete': 'write',
  'backups:get': 'read',
  'backups:get_all': 'read',
  'backups:create': 'backupWrite',
  'backups:update': 'backupWrite',
  'backups:delete': 'backupWrite',
  'clients:get': 'read',
  'clients:get_all': 'read',
  'clients:create': 'write',
  'clients:delete': 'write',
  'jobs:get': 'read',
  'jobs:get_all': 'read',
  'jobs:create': 'write',
  'jobs:update': 'write',
  'jobs:delete': 'write',
  'jobs:event:create': 'write',
  'sessions:get': 'read',
  'sessions:get_all': 'read',
  'sessions:create': 'write',
  'sessions:replace': 'write',
  'sessions:update': 'write',
  'sessions:delete': 'write',
  'sessions:action:create': 'write',
  'sessions:job:add': 'write',
  'sessions:job:remove': 'write',
};

const ruleOf = (operation: Operation) => (operation as { 'x-policy'?: string })['x-policy'];

async function policedOperations(): Promise<Operation[]> {
  return (await specApi()).getOperations().filter((o) => ruleOf(o) !== undefined);
}

function exampleBody(operation: Operation): unknown {
  const body = operation.requestBody as { content?: Record<string, { example?: unknown }> } | undefined;
  return body?.content?.['application/json']?.example;
}

/** The operation's request: ids that name nothing (the rule is checked before anything is looked up). */
function call(server: TestServer, operation: Operation, headers: Record<string, string>) {
  const path = operation.path.replace('{project_id}', PROJECT).replace(/\{\w+\}/g, 'some-id');
  const json = exampleBody(operation);
  return server.request(operation.method.toUpperCase(), path, { headers, ...(json === undefined ? {} : { json }) });
}

describe.each(engineRows)('policy on %s', (_name, engine) => {
  const server = serverFor(engine);

  it('knows the kind of every rule an operation names', async () => {
    const unknown = (await policedOperations()).map(ruleOf).filter((rule) => !(rule! in KIND_OF_RULE));
    expect(unknown).toEqual([]);
  });

  it.each(Object.keys(CALLERS) as CallerName[])('lets %s do exactly what the default rules allow', async (who) => {
    const operations = await policedOperations();
    expect(operations.length).toBe(60);
    await checkEach(
      operations,
      async (operation) => {
        // v1's target is the caller's own project: a member of another project is a member there.
        const v1 = operation.path.startsWith('/v1');
        const as: CallerName = v1 && who === 'otherProjectMember' ? 'member' : who;
        const allowed = ALLOWED[KIND_OF_RULE[ruleOf(operation)!]!].includes(as);
        const res = await call(server, operation, { 'X-User-Id': `policy-${who}`, ...CALLERS[who] });
        if (allowed && res.status === 403) throw new Error(`refused: ${res.text}`);
        if (!allowed && (res.status !== 403 || JSON.stringify(res.body) !== JSON.stringify(DENIED))) {
          throw new Error(`let through: ${res.status} ${res.text}`);
        }
      },
      (operation) => `${operation.operationId} (${ruleOf(operation)})`,
    );
  });

  it('takes member as the role when X-Roles is absent, so every noauth flow keeps working', async () => {
    const created = await server.request('POST', `/v2/${PROJECT}/actions`, { json: { freezer_action: { action: 'backup' } } });
    expect(created.status).toBe(201);
    const { action_id } = created.body as { action_id: string };
    expect((await server.request('DELETE', `/v2/${PROJECT}/actions/${action_id}`)).status).toBe(204);
    expect((await server.request('POST', '/v1/actions', { json: { freezer_action: { action: 'backup' } } })).status).toBe(201);
  });

  it('lets a reader read what a member wrote, and nothing more', async () => {
    const member = { 'X-User-Id': 'writer', 'X-Roles': 'member' };
    const reader = { 'X-User-Id': 'writer', 'X-Roles': 'Reader' };
    const body = { backup_name: 'b', container: 'c', hostname: 'h' };
    const created = await server.request('POST', `/v2/${PROJECT}/backups`, { json: body, headers: member });
    const { backup_id } = created.body as { backup_id: string };
    expect((await server.request('GET', `/v2/${PROJECT}/backups/${backup_id}`, { headers: reader })).status).toBe(200);
    const refused = await server.request('DELETE', `/v2/${PROJECT}/backups/${backup_id}`, { headers: reader });
    expect([refused.status, refused.body]).toEqual([403, DENIED]);
    expect((await server.request('GET', `/v2/${PROJECT}/backups/${backup_id}`, { headers: reader })).status).toBe(200);
  });

  describe('with a policy file', () => {
    const overridden = serverFor(engine, {
      policyRules: { 'backups:delete': 'role:admin', 'backups:get': '!', 'clients:get_all': '@', project_reader: 'role:auditor' },
    });
    const backup = { backup_name: 'b', container: 'c', hostname: 'h' };

    it('applies its rules in place of the defaults', async () => {
      const member = { 'X-User-Id': 'owner' };
      const admin = { 'X-User-Id': 'owner', 'X-Roles': 'admin' };
      const { backup_id } = (await overridden.request('POST', `/v2/${PROJECT}/backups`, { json: backup, headers: member }))
        .body as { backup_id: string };
      const byMember = await overridden.request('DELETE', `/v2/${PROJECT}/backups/${backup_id}`, { headers: member });
      expect([byMember.status, byMember.body]).toEqual([403, DENIED]);
      // `!`: nobody, not even an admin
      expect((await overridden.request('GET', `/v2/${PROJECT}/backups/${backup_id}`, { headers: admin })).status).toBe(403);
      expect((await overridden.request('GET', `/v1/backups/${backup_id}`, { headers: admin })).status).toBe(403);
      // `@`: anyone, whatever the roles
      const anyone = { 'X-Roles': 'nobody-knows-me', 'X-Project-Id': 'elsewhere' };
      expect((await overridden.request('GET', `/v2/${PROJECT}/clients`, { headers: anyone })).status).toBe(200);
      // a base rule, used by the named ones
      expect((await overridden.request('GET', `/v2/${PROJECT}/jobs`, { headers: { 'X-Roles': 'auditor' } })).status).toBe(200);
      expect((await overridden.request('GET', `/v2/${PROJECT}/jobs`, { headers: { 'X-Roles': 'reader' } })).status).toBe(403);
      expect((await overridden.request('DELETE', `/v2/${PROJECT}/backups/${backup_id}`, { headers: admin })).status).toBe(204);
    });
  });
});
