import { ConfigError, loadConfig } from '../../src/config';
import path from 'node:path';
import { knexConfig } from '../../knexfile';

const ROOT = path.join(__dirname, '..', '..');

describe('loadConfig', () => {
  it('defaults to loopback, port 9090 and the embedded SQLite file in data/ beside package.json', () => {
    expect(loadConfig({}, {})).toEqual({
      host: '127.0.0.1',
      port: 9090,
      databaseUrl: `sqlite:${ROOT}/data/freezer.sqlite`,
      migrateAtStart: true,
      bodyLimitBytes: 1048576,
      auth: { mode: 'noauth', defaultUserId: 'default-user' },
      scope: 'project',
      policyRules: {},
      shutdownTimeoutMs: 25000,
      database: { queryTimeoutMs: 5000, acquireTimeoutMs: 2000, waitSeconds: 0 },
      http: { headersTimeoutMs: 10000, requestTimeoutMs: 30000, keepAliveTimeoutMs: 5000 },
      // JSON lines unless stdout is a terminal (under Jest it is not).
      log: { level: 'info', pretty: false },
      metrics: {},
      trustProxy: false,
      corsOrigins: [],
    });
  });

  it('reads the environment, and flags win over it', () => {
    const env = {
      FREEZER_API_HOST: '0.0.0.0',
      FREEZER_API_PORT: '8080',
      FREEZER_API_SCOPE: 'user',
      FREEZER_API_DATABASE_URL: 'mysql://u:p@db:3306/freezer',
      FREEZER_API_DEFAULT_USER: 'ops',
      FREEZER_API_BODY_LIMIT: '2048',
      FREEZER_API_SHUTDOWN_TIMEOUT: '10',
      FREEZER_API_DB_QUERY_TIMEOUT_MS: '3000',
      FREEZER_API_DB_ACQUIRE_TIMEOUT_MS: '1000',
      FREEZER_API_DB_WAIT_SECONDS: '60',
      FREEZER_API_HEADERS_TIMEOUT_MS: '5000',
      FREEZER_API_REQUEST_TIMEOUT_MS: '20000',
      FREEZER_API_KEEPALIVE_TIMEOUT_MS: '65000',
      FREEZER_API_LOG_LEVEL: 'warn',
      FREEZER_API_LOG_FORMAT: 'pretty',
      FREEZER_API_METRICS_TOKEN: 'scrape-me',
      FREEZER_API_METRICS_LISTEN: '[::1]:9191',
      FREEZER_API_TRUST_PROXY: 'true',
      FREEZER_API_CORS_ORIGINS: 'https://horizon.example.com, http://[::1]:8080',
    };
    expect(loadConfig({}, env)).toEqual({
      host: '0.0.0.0',
      port: 8080,
      databaseUrl: 'mysql://u:p@db:3306/freezer',
      migrateAtStart: true,
      bodyLimitBytes: 2048,
      auth: { mode: 'noauth', defaultUserId: 'ops' },
      scope: 'user',
      policyRules: {},
      shutdownTimeoutMs: 10000,
      database: { queryTimeoutMs: 3000, acquireTimeoutMs: 1000, waitSeconds: 60 },
      http: { headersTimeoutMs: 5000, requestTimeoutMs: 20000, keepAliveTimeoutMs: 65000 },
      log: { level: 'warn', pretty: true },
      metrics: { token: 'scrape-me', listen: { host: '::1', port: 9191 } },
      trustProxy: true,
      corsOrigins: ['https://horizon.example.com', 'http://[::1]:8080'],
    });
    expect(loadConfig({ port: '1234', host: '::1', database: 'sqlite::memory:', scope: 'project' }, env)).toMatchObject({
      host: '::1',
      port: 1234,
      databaseUrl: 'sqlite::memory:',
      scope: 'project',
    });
  });

  it.each([
    [{ port: 'http' }, {}, 'port must be a whole number from 0 to 65535, not "http"'],
    [{ port: '70000' }, {}, 'port must be a whole number from 0 to 65535, not "70000"'],
    [{}, { FREEZER_API_PORT: '-1' }, 'port must be a whole number from 0 to 65535, not "-1"'],
    [{}, { FREEZER_API_BODY_LIMIT: '1mb' }, 'FREEZER_API_BODY_LIMIT must be a whole number from 1 to 2147483648, not "1mb"'],
    [{ scope: 'tenant' }, {}, 'scope must be project or user, not "tenant"'],
    [{ database: 'postgres://x/y' }, {}, 'database URL "postgres://x/y" must start with sqlite:, mysql:// or mariadb://'],
    [{ database: 'mysql://u@h:3306/' }, {}, 'database URL "mysql://u@h:3306/" names no database'],
    [{ host: ' ' }, {}, 'host must not be empty'],
    [
      {},
      { FREEZER_API_LOG_LEVEL: 'verbose' },
      'FREEZER_API_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, not "verbose"',
    ],
    [{}, { FREEZER_API_LOG_FORMAT: 'text' }, 'FREEZER_API_LOG_FORMAT must be json or pretty, not "text"'],
    [{}, { FREEZER_API_TRUST_PROXY: 'maybe' }, 'FREEZER_API_TRUST_PROXY must be 1 or 0, not "maybe"'],
    [
      {},
      { FREEZER_API_CORS_ORIGINS: 'https://ui.example/path' },
      'FREEZER_API_CORS_ORIGINS must list origins such as https://horizon.example.com (scheme, host, port; no path), or *, not "https://ui.example/path"',
    ],
    [{}, { FREEZER_API_METRICS_LISTEN: '9191' }, 'FREEZER_API_METRICS_LISTEN must be host:port, not "9191"'],
    [
      {},
      { FREEZER_API_METRICS_LISTEN: 'localhost:99999' },
      'FREEZER_API_METRICS_LISTEN port must be a whole number from 0 to 65535, not "99999"',
    ],
    [
      {},
      { FREEZER_API_SHUTDOWN_TIMEOUT: '2.5' },
      'FREEZER_API_SHUTDOWN_TIMEOUT must be a whole number from 0 to 3600, not "2.5"',
    ],
    [
      {},
      { FREEZER_API_DB_QUERY_TIMEOUT_MS: '0' },
      'FREEZER_API_DB_QUERY_TIMEOUT_MS must be a whole number from 1 to 3600000, not "0"',
    ],
    [
      {},
      { FREEZER_API_DB_WAIT_SECONDS: 'forever' },
      'FREEZER_API_DB_WAIT_SECONDS must be a whole number from 0 to 86400, not "forever"',
    ],
    [
      {},
      { FREEZER_API_HEADERS_TIMEOUT_MS: '40000' },
      'FREEZER_API_HEADERS_TIMEOUT_MS must not be longer than FREEZER_API_REQUEST_TIMEOUT_MS',
    ],
    [{}, { FREEZER_API_NO_MIGRATE: 'maybe' }, 'FREEZER_API_NO_MIGRATE must be 1 or 0, not "maybe"'],
    [{}, { FREEZER_API_DATA_DIR: ' ' }, 'FREEZER_API_DATA_DIR must not be empty'],
  ])('refuses %j %j with one clear message', (flags, env, message) => {
    expect(() => loadConfig(flags, env)).toThrow(new ConfigError(message));
  });

  it('reads the keystone settings, with defaults for the optional ones', () => {
    const env = {
      FREEZER_API_AUTH: 'keystone',
      FREEZER_API_KEYSTONE_URL: 'http://ks:5000/v3',
      FREEZER_API_KEYSTONE_USERNAME: 'freezer',
      FREEZER_API_KEYSTONE_PASSWORD: 'secret',
    };
    expect(loadConfig({}, env).auth).toEqual({
      mode: 'keystone',
      keystone: {
        url: 'http://ks:5000/v3',
        username: 'freezer',
        password: 'secret',
        projectName: 'service',
        userDomainName: 'Default',
        projectDomainName: 'Default',
        timeoutMs: 5000,
        cacheSeconds: 300,
        negativeCacheSeconds: 5,
        cacheSize: 10000,
      },
      trusts: { mode: 'central', roles: ['member'] },
    });
    expect(loadConfig({ auth: 'noauth' }, env).auth.mode).toBe('noauth');
    expect(() => loadConfig({}, { ...env, FREEZER_API_KEYSTONE_PASSWORD: '' })).toThrow(
      new ConfigError('FREEZER_API_KEYSTONE_PASSWORD must be set when auth is keystone'),
    );
    expect(() => loadConfig({ auth: 'basic' }, {})).toThrow(new ConfigError('auth must be noauth or keystone, not "basic"'));
    expect(() => loadConfig({}, { ...env, FREEZER_API_KEYSTONE_URL: 'ks:5000' })).toThrow(/must be an http\(s\) URL/);
  });

  it('reads the trust settings in keystone mode only', () => {
    const env = {
      FREEZER_API_AUTH: 'keystone',
      FREEZER_API_KEYSTONE_URL: 'http://ks:5000/v3',
      FREEZER_API_KEYSTONE_USERNAME: 'freezer',
      FREEZER_API_KEYSTONE_PASSWORD: 'secret',
    };
    const trusts = (extra: Record<string, string>) => {
      const { auth } = loadConfig({}, { ...env, ...extra });
      return auth.mode === 'keystone' ? auth.trusts : undefined;
    };
    expect(trusts({ FREEZER_API_TRUSTS: 'always', FREEZER_API_TRUST_ROLES: ' member, backup-operator ,' })).toEqual({
      mode: 'always',
      roles: ['member', 'backup-operator'],
    });
    expect(trusts({ FREEZER_API_TRUSTS: 'off' })).toEqual({ mode: 'off', roles: ['member'] });
    expect(() => trusts({ FREEZER_API_TRUSTS: 'yes' })).toThrow(
      new ConfigError('FREEZER_API_TRUSTS must be off, central or always, not "yes"'),
    );
    expect(() => trusts({ FREEZER_API_TRUST_ROLES: ' , ' })).toThrow(
      new ConfigError('FREEZER_API_TRUST_ROLES must name at least one role'),
    );
    // noauth mode makes no trusts, so it does not read them.
    expect(loadConfig({}, { FREEZER_API_TRUSTS: 'yes' }).auth).toEqual({ mode: 'noauth', defaultUserId: 'default-user' });
  });

  it('puts the default database in FREEZER_API_DATA_DIR, a relative one from the working directory', () => {
    expect(loadConfig({}, { FREEZER_API_DATA_DIR: '/srv/freezer' }).databaseUrl).toBe('sqlite:/srv/freezer/freezer.sqlite');
    expect(loadConfig({}, { FREEZER_API_DATA_DIR: 'state' }).databaseUrl).toBe(`sqlite:${process.cwd()}/state/freezer.sqlite`);
    // A database URL given wins over the data directory.
    expect(loadConfig({}, { FREEZER_API_DATA_DIR: '/srv', FREEZER_API_DATABASE_URL: 'sqlite::memory:' }).databaseUrl).toBe(
      'sqlite::memory:',
    );
  });

  it.each([
    [{}, {}, true],
    [{ noMigrate: '1' }, {}, false],
    [{}, { FREEZER_API_NO_MIGRATE: '1' }, false],
    [{}, { FREEZER_API_NO_MIGRATE: 'yes' }, false],
    [{}, { FREEZER_API_NO_MIGRATE: '0' }, true],
    [{ noMigrate: '1' }, { FREEZER_API_NO_MIGRATE: '0' }, false],
  ])('migrates at start unless --no-migrate or FREEZER_API_NO_MIGRATE: %j %j', (flags, env, migrate) => {
    expect(loadConfig(flags, env).migrateAtStart).toBe(migrate);
  });
});

describe('knexConfig', () => {
  it('maps MySQL URLs, decoding credentials, and allows a socket', () => {
    expect(knexConfig('mysql://us%40r:p%3Ass@db.example:3307/freezer')).toMatchObject({
      client: 'mysql2',
      connection: { host: 'db.example', port: 3307, user: 'us@r', password: 'p:ss', database: 'freezer' },
    });
    expect(knexConfig('mariadb://root@localhost/freezer?socketPath=/run/mysqld/mysqld.sock')).toMatchObject({
      connection: { socketPath: '/run/mysqld/mysqld.sock', host: undefined, user: 'root', database: 'freezer' },
    });
  });

  it('maps SQLite URLs to an absolute file or memory', () => {
    expect(knexConfig('sqlite::memory:')).toMatchObject({ client: 'better-sqlite3', connection: { filename: ':memory:' } });
    expect(knexConfig('sqlite:///tmp/f.sqlite')).toMatchObject({ connection: { filename: '/tmp/f.sqlite' } });
    expect((knexConfig('sqlite:data/x.sqlite').connection as { filename: string }).filename).toMatch(/^\/.*\/data\/x\.sqlite$/);
  });
});
