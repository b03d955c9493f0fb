// The real Keystone test/keystone/start.sh runs, as the keystone-mode suites see it.
import { readFileSync } from 'node:fs';
import type { KeystoneAuth } from '../../src/config';

export interface TestKeystone {
  url: string;
  projects: { p1: string; p2: string };
  users: { alice: string; bob: string };
  /** How many token validations Keystone has answered so far (from its request log). */
  validations(): number;
  /** The server settings for keystone mode against this Keystone. */
  auth(overrides?: Partial<KeystoneAuth['keystone']>): KeystoneAuth;
  /** A token for a user: scoped to a project by name, or unscoped. */
  token(user: 'alice' | 'bob' | 'admin' | 'freezer', project?: string): Promise<string>;
}

const PASSWORDS = { alice: 'alice-secret', bob: 'bob-secret', admin: 'admin-secret', freezer: 'freezer-secret' };
const HOME = { alice: 'p1', bob: 'p2', admin: 'admin', freezer: 'service' };

/** The Keystone from the environment (FREEZER_TEST_KEYSTONE_*), or undefined outside CI. */
export function testKeystone(): TestKeystone | undefined {
  const env = process.env;
  if (!env.FREEZER_TEST_KEYSTONE_URL) {
    if (env.CI) throw new Error('CI is set but FREEZER_TEST_KEYSTONE_URL is not: start test/keystone/start.sh first');
    return undefined;
  }
  const url = env.FREEZER_TEST_KEYSTONE_URL;
  return {
    url,
    projects: { p1: env.FREEZER_TEST_KEYSTONE_P1!, p2: env.FREEZER_TEST_KEYSTONE_P2! },
    users: { alice: env.FREEZER_TEST_KEYSTONE_ALICE!, bob: env.FREEZER_TEST_KEYSTONE_BOB! },
    validations: () =>
      readFileSync(env.FREEZER_TEST_KEYSTONE_LOG!, 'utf8')
        .split('\n')
        .filter((l) => l.includes('GET /v3/auth/tokens')).length,
    auth: (overrides = {}) => ({
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
    }),
    async token(user, project = HOME[user]) {
      const scope = project === 'unscoped' ? 'unscoped' : { project: { name: project, domain: { name: 'Default' } } };
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
      if (res.status !== 201 || !token) throw new Error(`Keystone gave no token for ${user} (${res.status})`);
      return token;
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
