// The real Keystone test/keystone/start.sh runs, as the keystone-mode suites see it.
import { readFileSync } from 'node:fs';
import type { KeystoneAuth } from '../../src/config';

/**
 * alice and bob: `member` of p1 and p2; carol: only `reader` in p1; dave: only `service` in
 * project `service`; freezer: the server's own service user (`service` and `admin` there);
 * admin: bootstrap's (`admin` in project `admin`).
 */
export type TestUser = 'alice' | 'bob' | 'carol' | 'dave' | 'freezer' | 'admin';

export interface TestKeystone {
  url: string;
  projects: { p1: string; p2: string; service: string };
  users: Record<TestUser, string>;
  /** How many token validations Keystone has answered so far (from its request log). */
  validations(): number;
  /** The server settings for keystone mode against this Keystone (trusts as by default: central). */
  auth(overrides?: Partial<KeystoneAuth['keystone']>, trusts?: Partial<KeystoneAuth['trusts']>): KeystoneAuth;
  /** A token for a user: scoped to a project by name, or unscoped. */
  token(user: TestUser, project?: string): Promise<string>;
  /** A token for a user scoped to a trust, as the central scheduler gets one (no project named). */
  trustToken(user: TestUser, trustId: string): Promise<string>;
  /** Keystone's own API as its admin: GET, DELETE, … on a path under /v3. */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

const PASSWORDS: Record<TestUser, string> = {
  alice: 'alice-secret',
  bob: 'bob-secret',
  carol: 'carol-secret',
  dave: 'dave-secret',
  freezer: 'freezer-secret',
  admin: 'admin-secret',
};
const HOME: Record<TestUser, string> = {
  alice: 'p1',
  bob: 'p2',
  carol: 'p1',
  dave: 'service',
  freezer: 'service',
  admin: 'admin',
};

async function issue(url: string, user: TestUser, scope: unknown): Promise<string> {
  const res = await fetch(`${url}/auth/tokens?nocatalog`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: user, domain: { name: 'Default' }, password: PASSWORDS[user] } },
        },
        scope,
      },
    }),
  });
  const token = res.headers.get('x-subject-token');
  if (res.status !== 201 || !token) throw new Error(`Keystone gave no token for ${user} (${res.status}: ${await res.text()})`);
  return token;
}

/** The Keystone from the environment (FREEZER_TEST_KEYSTONE_*), or undefined outside CI. */
export function testKeystone(): TestKeystone | undefined {
  const env = process.env;
  if (!env.FREEZER_TEST_KEYSTONE_URL) {
    if (env.CI) throw new Error('CI is set but FREEZER_TEST_KEYSTONE_URL is not: start test/keystone/start.sh first');
    return undefined;
  }
  const url = env.FREEZER_TEST_KEYSTONE_URL;
  const ids = (names: string[]) => {
    const found = Object.fromEntries(names.map((name) => [name, env[`FREEZER_TEST_KEYSTONE_${name.toUpperCase()}`]]));
    const missing = names.filter((name) => !found[name]);
    if (missing.length) throw new Error(`FREEZER_TEST_KEYSTONE_* lacks ${missing.join(', ')}: re-run test/keystone/start.sh`);
    return found as Record<string, string>;
  };
  const users = ids(['alice', 'bob', 'carol', 'dave', 'freezer', 'admin']) as Record<TestUser, string>;
  let adminToken: Promise<string> | undefined;
  return {
    url,
    projects: {
      p1: env.FREEZER_TEST_KEYSTONE_P1!,
      p2: env.FREEZER_TEST_KEYSTONE_P2!,
      service: ids(['service_project']).service_project!,
    },
    users,
    validations: () =>
      readFileSync(env.FREEZER_TEST_KEYSTONE_LOG!, 'utf8')
        .split('\n')
        .filter((l) => l.includes('GET /v3/auth/tokens')).length,
    auth: (overrides = {}, trusts = {}) => ({
      mode: 'keystone',
      keystone: {
        url,
        username: 'freezer',
        password: 'freezer-secret',
        projectName: 'service',
        userDomainName: 'Default',
        projectDomainName: 'Default',
        timeoutMs: 5000,
        cacheSeconds: 300,
        negativeCacheSeconds: 5,
        cacheSize: 1000,
        ...overrides,
      },
      trusts: { mode: 'central', roles: ['member'], ...trusts },
    }),
    token: (user, project = HOME[user]) =>
      issue(url, user, project === 'unscoped' ? 'unscoped' : { project: { name: project, domain: { name: 'Default' } } }),
    trustToken: (user, trustId) => issue(url, user, { 'OS-TRUST:trust': { id: trustId } }),
    async admin(method, path, body) {
      adminToken ??= issue(url, 'admin', { project: { name: 'admin', domain: { name: 'Default' } } });
      const res = await fetch(url + path, {
        method,
        headers: { 'X-Auth-Token': await adminToken, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    },
  };
}

/** Keystone settings that cannot reach any Keystone (a closed port), for the 503 cases. */
export function unreachableKeystone(): KeystoneAuth {
  return {
    mode: 'keystone',
    keystone: {
      url: 'http://127.0.0.1:9/v3',
      username: 'freezer',
      password: 'x',
      projectName: 'service',
      userDomainName: 'Default',
      projectDomainName: 'Default',
      timeoutMs: 2000,
      cacheSeconds: 300,
      negativeCacheSeconds: 5,
      cacheSize: 10,
    },
    trusts: { mode: 'central', roles: ['member'] },
  };
}

/**
 * A describe block that needs the real Keystone: it runs when test/keystone/start.sh's variables
 * are set, fails in CI when they are not, and otherwise shows up as skipped, saying why.
 */
export function withKeystone(title: string, body: (keystone: TestKeystone) => void): void {
  const keystone = testKeystone();
  if (keystone) {
    describe(title, () => body(keystone));
  } else {
    describe.skip(`${title} (needs a real Keystone: eval "$(test/keystone/start.sh)")`, () => {
      it('runs against the real Keystone', () => {});
    });
  }
}
