// Every setting the server reads, from the command line's flags (src/cli/command-line.ts) and the
// environment, parsed once.
import path from 'node:path';
import { DEFAULT_DATABASE_FILE, defaultDatabaseUrl, knexConfig } from '../knexfile';
import type { KeystoneSettings } from './auth/keystone';
import { createPolicy, PolicyError, readPolicyFile } from './auth/policy';
import type { TrustSettings } from './auth/trusts';
import type { DatabaseBounds } from './db/bounds';
import { LOG_LEVELS, type LogLevel, type LogSettings } from './log';
import { PACKAGE_ROOT } from './paths';

export interface Config {
  host: string;
  port: number;
  databaseUrl: string;
  /** Bring the schema up to date at start (off: refuse to start while migrations are pending). */
  migrateAtStart: boolean;
  /** Request bodies above this many bytes are answered with 413. */
  bodyLimitBytes: number;
  auth: NoAuth | KeystoneAuth;
  /**
   * Whose resources a v2 request sees: the project's (current upstream) or, as freezer-api
   * 13.x–18.x did, only the calling user's within the project.
   */
  scope: 'project' | 'user';
  /** The policy file's rules (`FREEZER_API_POLICY_FILE`), overriding the defaults; checked when loaded. */
  policyRules: Readonly<Record<string, string>>;
  /** How long requests in flight may run on after SIGTERM/SIGINT before they are cut. */
  shutdownTimeoutMs: number;
  database: DatabaseBounds & {
    /** At start, keep trying a database that does not answer yet for this long (0: fail at once). */
    waitSeconds: number;
  };
  http: HttpLimits;
  log: LogSettings;
  metrics: MetricsSettings;
  /** Take X-Forwarded-* / Forwarded from the proxy in front when writing links (src/http/proxy.ts). */
  trustProxy: boolean;
  /** The origins browsers may call the API from (src/http/cors.ts); empty: CORS off. `*`: any. */
  corsOrigins: string[];
}

/** Who may read GET /metrics, and where it is served. */
export interface MetricsSettings {
  /** When set, scrapes must send `Authorization: Bearer <token>`. */
  token?: string;
  /** When set, /metrics is served on this address only (not on the API's). */
  listen?: { host: string; port: number };
}

/** How long the HTTP layer waits for a client (Node's defaults are a minute and more). */
export interface HttpLimits {
  /** The request line and headers must arrive within this (408). */
  headersTimeoutMs: number;
  /** The whole request, its body included, must arrive within this (408). */
  requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
}

/** Identity from request headers: for development and trusted networks only. */
export interface NoAuth {
  mode: 'noauth';
  /** The user assumed when a request has no X-User-Id. */
  defaultUserId: string;
}

/** Identity from Keystone tokens. */
export interface KeystoneAuth {
  mode: 'keystone';
  keystone: KeystoneSettings;
  /** Keystone trusts for the central scheduler (FREEZER_API_TRUSTS, FREEZER_API_TRUST_ROLES). */
  trusts: TrustSettings;
}

export class ConfigError extends Error {}

/** One setting as operators see it: --help is written from these, loadConfig reads by them. */
export interface Setting {
  env: string;
  /** The command-line flag (`--<flag>`), for the settings that have one. */
  flag?: string;
  /** A switch is on or off: its flag takes no value, its variable is 1 or 0. */
  switch?: boolean;
  /** The value's placeholder in --help. */
  value: string;
  /** Used when neither the flag nor the variable is given. */
  default?: string;
  /** What --help shows for a default that is worked out rather than fixed. */
  shownDefault?: string;
  meaning: string;
}

/** Every setting, in the order --help lists them. */
export const SETTINGS = {
  host: { env: 'FREEZER_API_HOST', flag: 'host', value: 'HOST', default: '127.0.0.1', meaning: 'address to listen on' },
  port: { env: 'FREEZER_API_PORT', flag: 'port', value: 'PORT', default: '9090', meaning: 'port to listen on (0: any free one)' },
  database: {
    env: 'FREEZER_API_DATABASE_URL',
    flag: 'database',
    value: 'URL',
    shownDefault: `sqlite:<data dir>/${DEFAULT_DATABASE_FILE}`,
    meaning: 'sqlite:<file>, sqlite::memory:, or mysql://user:pass@host:port/db (also mariadb://)',
  },
  dataDir: {
    env: 'FREEZER_API_DATA_DIR',
    value: 'DIR',
    default: path.join(PACKAGE_ROOT, 'data'),
    meaning: 'where the default SQLite database lives (made if missing); a relative path is from the working directory',
  },
  noMigrate: {
    env: 'FREEZER_API_NO_MIGRATE',
    flag: 'no-migrate',
    switch: true,
    value: '1|0',
    default: '0',
    meaning: 'serve: do not migrate at start, and refuse to start while migrations are pending',
  },
  dbWaitSeconds: {
    env: 'FREEZER_API_DB_WAIT_SECONDS',
    value: 'SECONDS',
    default: '0',
    meaning: 'at start, keep trying a database that does not answer yet for this long (0: fail at once)',
  },
  dbQueryTimeoutMs: {
    env: 'FREEZER_API_DB_QUERY_TIMEOUT_MS',
    value: 'MS',
    default: '5000',
    meaning: 'a statement without an answer by then fails its request with 503',
  },
  dbAcquireTimeoutMs: {
    env: 'FREEZER_API_DB_ACQUIRE_TIMEOUT_MS',
    value: 'MS',
    default: '2000',
    meaning: 'waiting for a pooled connection fails the request with 503 after this',
  },
  bodyLimit: {
    env: 'FREEZER_API_BODY_LIMIT',
    value: 'BYTES',
    default: '1048576',
    meaning: 'largest request body; larger ones get 413',
  },
  shutdownTimeout: {
    env: 'FREEZER_API_SHUTDOWN_TIMEOUT',
    value: 'SECONDS',
    default: '25',
    meaning: 'how long requests in flight may run on after SIGTERM/SIGINT',
  },
  headersTimeoutMs: {
    env: 'FREEZER_API_HEADERS_TIMEOUT_MS',
    value: 'MS',
    default: '10000',
    meaning: 'a client must send its request line and headers within this (408)',
  },
  requestTimeoutMs: {
    env: 'FREEZER_API_REQUEST_TIMEOUT_MS',
    value: 'MS',
    default: '30000',
    meaning: 'a client must send its whole request within this (408)',
  },
  keepAliveTimeoutMs: {
    env: 'FREEZER_API_KEEPALIVE_TIMEOUT_MS',
    value: 'MS',
    default: '5000',
    meaning: 'an idle kept-alive connection is closed after this',
  },
  logLevel: {
    env: 'FREEZER_API_LOG_LEVEL',
    value: LOG_LEVELS.join('|'),
    default: 'info',
    meaning: 'the least severe log lines written (info: one line per request; debug: start-up failures with their stack)',
  },
  logFormat: {
    env: 'FREEZER_API_LOG_FORMAT',
    value: 'json|pretty',
    shownDefault: 'pretty on a terminal, else json',
    meaning: 'log lines as JSON (one object per line) or coloured text for people',
  },
  trustProxy: {
    env: 'FREEZER_API_TRUST_PROXY',
    switch: true,
    value: '1|0',
    default: '0',
    meaning: "links name the scheme, host and prefix from the proxy's Forwarded / X-Forwarded-* headers",
  },
  corsOrigins: {
    env: 'FREEZER_API_CORS_ORIGINS',
    value: 'ORIGINS',
    shownDefault: 'none: CORS off',
    meaning: 'origins a browser page may call the API from, comma-separated (https://horizon.example.com), or * for any',
  },
  metricsToken: {
    env: 'FREEZER_API_METRICS_TOKEN',
    value: 'TOKEN',
    shownDefault: 'none: /metrics is public',
    meaning: 'GET /metrics must send Authorization: Bearer TOKEN',
  },
  metricsListen: {
    env: 'FREEZER_API_METRICS_LISTEN',
    value: 'HOST:PORT',
    shownDefault: "none: /metrics is on the API's address",
    meaning: 'serve /metrics on this address only ([::1]:9191 for IPv6)',
  },
  auth: {
    env: 'FREEZER_API_AUTH',
    flag: 'auth',
    value: 'noauth|keystone',
    default: 'noauth',
    meaning: 'who the caller is: identity headers (development, trusted networks) or Keystone tokens',
  },
  defaultUser: {
    env: 'FREEZER_API_DEFAULT_USER',
    value: 'USER',
    default: 'default-user',
    meaning: 'noauth: the user assumed when a request has no X-User-Id',
  },
  scope: {
    env: 'FREEZER_API_SCOPE',
    flag: 'scope',
    value: 'project|user',
    default: 'project',
    meaning: "whose resources a v2 request sees: the project's, or only the caller's own within it",
  },
  policyFile: {
    env: 'FREEZER_API_POLICY_FILE',
    flag: 'policy-file',
    value: 'PATH',
    shownDefault: 'none: the built-in rules',
    meaning: 'a policy file (YAML or JSON) overriding the default policy rules',
  },
  keystoneUrl: {
    env: 'FREEZER_API_KEYSTONE_URL',
    value: 'URL',
    shownDefault: 'none; required with keystone',
    meaning: "keystone: Keystone's v3 URL, e.g. http://keystone:5000/v3",
  },
  keystoneUsername: {
    env: 'FREEZER_API_KEYSTONE_USERNAME',
    value: 'NAME',
    shownDefault: 'none; required with keystone',
    meaning: 'keystone: the service user tokens are validated as',
  },
  keystonePassword: {
    env: 'FREEZER_API_KEYSTONE_PASSWORD',
    value: 'PASSWORD',
    shownDefault: 'none; required with keystone',
    meaning: "keystone: the service user's password",
  },
  keystoneProject: {
    env: 'FREEZER_API_KEYSTONE_PROJECT',
    value: 'NAME',
    default: 'service',
    meaning: "keystone: the service user's project",
  },
  keystoneUserDomain: {
    env: 'FREEZER_API_KEYSTONE_USER_DOMAIN',
    value: 'NAME',
    default: 'Default',
    meaning: "keystone: the service user's domain",
  },
  keystoneProjectDomain: {
    env: 'FREEZER_API_KEYSTONE_PROJECT_DOMAIN',
    value: 'NAME',
    default: 'Default',
    meaning: "keystone: the domain of the service user's project",
  },
  keystoneTimeoutMs: {
    env: 'FREEZER_API_KEYSTONE_TIMEOUT_MS',
    value: 'MS',
    default: '5000',
    meaning: 'keystone: a call to Keystone taking longer answers 503',
  },
  tokenCacheSeconds: {
    env: 'FREEZER_API_TOKEN_CACHE_SECONDS',
    value: 'SECONDS',
    default: '300',
    meaning: 'keystone: how long a validated token is trusted without asking Keystone again',
  },
  trusts: {
    env: 'FREEZER_API_TRUSTS',
    value: 'central|always|off',
    default: 'central',
    meaning: 'keystone: which new v2 jobs get a Keystone trust for the central scheduler',
  },
  trustRoles: {
    env: 'FREEZER_API_TRUST_ROLES',
    value: 'ROLES',
    default: 'member',
    meaning: 'keystone: the roles each trust delegates, comma-separated',
  },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

/** The settings' flags as the command line gave them (a switch given: "1"). */
export type SettingFlags = Partial<Record<SettingName, string>>;

/** A setting's value: its flag wins over its environment variable, which wins over its default. */
type Reader = (name: SettingName) => string | undefined;

function readerOf(flags: SettingFlags, env: NodeJS.ProcessEnv): Reader {
  return (name) => {
    const setting: Setting = SETTINGS[name];
    return flags[name] ?? env[setting.env] ?? setting.default;
  };
}

/** The value of a setting that has a default, so always has one. */
const valueOf = (read: Reader, name: SettingName) => read(name)!;

/** Flags win over environment variables, which win over the defaults. */
export function loadConfig(flags: SettingFlags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const read = readerOf(flags, env);
  // The data directory matters only for the default URL; it is read (and checked) all the same.
  const dataDir = path.resolve(nonEmpty(SETTINGS.dataDir.env, valueOf(read, 'dataDir')));
  const config: Config = {
    host: nonEmpty('host', valueOf(read, 'host')),
    port: integer('port', valueOf(read, 'port'), 0, 65535),
    databaseUrl: read('database') ?? defaultDatabaseUrl(dataDir),
    migrateAtStart: !onOff(SETTINGS.noMigrate.env, valueOf(read, 'noMigrate')),
    bodyLimitBytes: integer(SETTINGS.bodyLimit.env, valueOf(read, 'bodyLimit'), 1, 2 ** 31),
    auth: authConfig(valueOf(read, 'auth'), read),
    scope: scopeSetting(valueOf(read, 'scope')),
    policyRules: policyRules(read('policyFile')),
    shutdownTimeoutMs: 1000 * integer(SETTINGS.shutdownTimeout.env, valueOf(read, 'shutdownTimeout'), 0, 3600),
    database: {
      queryTimeoutMs: milliseconds(read, 'dbQueryTimeoutMs'),
      acquireTimeoutMs: milliseconds(read, 'dbAcquireTimeoutMs'),
      waitSeconds: integer(SETTINGS.dbWaitSeconds.env, valueOf(read, 'dbWaitSeconds'), 0, 86400),
    },
    http: {
      headersTimeoutMs: milliseconds(read, 'headersTimeoutMs'),
      requestTimeoutMs: milliseconds(read, 'requestTimeoutMs'),
      keepAliveTimeoutMs: milliseconds(read, 'keepAliveTimeoutMs'),
    },
    trustProxy: onOff(SETTINGS.trustProxy.env, valueOf(read, 'trustProxy')),
    corsOrigins: originList(read('corsOrigins') ?? ''),
    metrics: {
      token: read('metricsToken') || undefined,
      listen: read('metricsListen') ? listenAddress(read('metricsListen')!) : undefined,
    },
    log: {
      level: logLevel(valueOf(read, 'logLevel')),
      pretty: logFormat(read('logFormat') ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'pretty',
    },
  };
  if (config.http.headersTimeoutMs > config.http.requestTimeoutMs) {
    throw new ConfigError('FREEZER_API_HEADERS_TIMEOUT_MS must not be longer than FREEZER_API_REQUEST_TIMEOUT_MS');
  }
  try {
    knexConfig(config.databaseUrl);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return config;
}

/** `host:port` (`[::1]:9191` for IPv6). */
function listenAddress(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(value);
  if (!match) throw new ConfigError(`FREEZER_API_METRICS_LISTEN must be host:port, not "${value}"`);
  return { host: match[1] ?? match[2]!, port: integer('FREEZER_API_METRICS_LISTEN port', match[3]!, 0, 65535) };
}

function logLevel(value: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new ConfigError(`FREEZER_API_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${value}"`);
  }
  return value as LogLevel;
}

function logFormat(value: string): 'json' | 'pretty' {
  if (value !== 'json' && value !== 'pretty')
    throw new ConfigError(`FREEZER_API_LOG_FORMAT must be json or pretty, not "${value}"`);
  return value;
}

function authConfig(mode: string, read: Reader): NoAuth | KeystoneAuth {
  if (mode === 'noauth') {
    return { mode, defaultUserId: nonEmpty(SETTINGS.defaultUser.env, valueOf(read, 'defaultUser')) };
  }
  if (mode !== 'keystone') throw new ConfigError(`auth must be noauth or keystone, not "${mode}"`);
  const required = (name: SettingName) => {
    const value = read(name);
    if (!value) throw new ConfigError(`${SETTINGS[name].env} must be set when auth is keystone`);
    return value;
  };
  const url = required('keystoneUrl');
  if (!/^https?:\/\/[^/]+/.test(url)) throw new ConfigError(`FREEZER_API_KEYSTONE_URL must be an http(s) URL, not "${url}"`);
  return {
    mode,
    keystone: {
      url,
      username: required('keystoneUsername'),
      password: required('keystonePassword'),
      projectName: valueOf(read, 'keystoneProject'),
      userDomainName: valueOf(read, 'keystoneUserDomain'),
      projectDomainName: valueOf(read, 'keystoneProjectDomain'),
      timeoutMs: integer(SETTINGS.keystoneTimeoutMs.env, valueOf(read, 'keystoneTimeoutMs'), 1, 600000),
      cacheSeconds: integer(SETTINGS.tokenCacheSeconds.env, valueOf(read, 'tokenCacheSeconds'), 0, 86400),
      negativeCacheSeconds: 5,
      cacheSize: 10000,
    },
    trusts: {
      mode: trustMode(valueOf(read, 'trusts')),
      roles: roleList(SETTINGS.trustRoles.env, valueOf(read, 'trustRoles')),
    },
  };
}

/** The policy file's rules, checked now so that a broken file stops the server from starting. */
function policyRules(path: string | undefined): Config['policyRules'] {
  if (path === undefined || path === '') return {};
  try {
    const rules = readPolicyFile(path);
    createPolicy(rules);
    return rules;
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    throw new ConfigError(`policy file ${path}: ${err.message}`);
  }
}

/** `*`, or origins as browsers send them: scheme, host and an optional port, nothing after. */
function originList(value: string): string[] {
  const origins = commaSeparated(value);
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/.test(origin)) {
      throw new ConfigError(
        `FREEZER_API_CORS_ORIGINS must list origins such as https://horizon.example.com (scheme, host, port; no path), or *, not "${origin}"`,
      );
    }
  }
  return origins;
}

function trustMode(value: string): TrustSettings['mode'] {
  if (value !== 'off' && value !== 'central' && value !== 'always') {
    throw new ConfigError(`FREEZER_API_TRUSTS must be off, central or always, not "${value}"`);
  }
  return value;
}

/** `a, b,,c` → `[a, b, c]`. */
const commaSeparated = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

function roleList(name: string, value: string): string[] {
  const roles = commaSeparated(value);
  if (roles.length === 0) throw new ConfigError(`${name} must name at least one role`);
  return roles;
}

function scopeSetting(value: string): Config['scope'] {
  if (value !== 'project' && value !== 'user') throw new ConfigError(`scope must be project or user, not "${value}"`);
  return value;
}

function nonEmpty(name: string, value: string): string {
  if (value.trim() === '') throw new ConfigError(`${name} must not be empty`);
  return value;
}

const milliseconds = (read: Reader, name: SettingName) => integer(SETTINGS[name].env, valueOf(read, name), 1, 3600000);

/** A switch's variable: 1/0, also yes/no, true/false, on/off. */
function onOff(name: string, value: string): boolean {
  const word = value.trim().toLowerCase();
  if (['1', 'yes', 'true', 'on'].includes(word)) return true;
  if (['0', 'no', 'false', 'off', ''].includes(word)) return false;
  throw new ConfigError(`${name} must be 1 or 0, not "${value}"`);
}

function integer(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${value}"`);
  }
  return n;
}
