// Every setting the server reads, parsed once from the environment and the command line.
import { parseArgs } from 'node:util';
import { DEFAULT_DATABASE_URL, knexConfig } from '../knexfile';
import type { KeystoneSettings } from './auth/keystone';
import { createPolicy, PolicyError, readPolicyFile } from './auth/policy';
import type { TrustSettings } from './auth/trusts';
import type { DatabaseBounds } from './db/bounds';
import { LOG_LEVELS, type LogLevel, type LogSettings } from './log';

export interface Config {
  host: string;
  port: number;
  databaseUrl: string;
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

const USAGE =
  'usage: freezer-api [policy] [--host HOST] [--port PORT] [--database URL] [--auth noauth|keystone] [--scope project|user] [--policy-file PATH]';

/** Flags win over environment variables, which win over the defaults. */
export function loadConfig(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Config {
  let flags: { host?: string; port?: string; database?: string; auth?: string; scope?: string; 'policy-file'?: string };
  try {
    flags = parseArgs({
      args: argv,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        database: { type: 'string' },
        auth: { type: 'string' },
        scope: { type: 'string' },
        'policy-file': { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (err) {
    throw new ConfigError(`${(err as Error).message} (${USAGE})`);
  }
  const config: Config = {
    host: nonEmpty('host', flags.host ?? env.FREEZER_API_HOST ?? '127.0.0.1'),
    port: integer('port', flags.port ?? env.FREEZER_API_PORT ?? '9090', 0, 65535),
    databaseUrl: flags.database ?? env.FREEZER_API_DATABASE_URL ?? DEFAULT_DATABASE_URL,
    bodyLimitBytes: integer('FREEZER_API_BODY_LIMIT', env.FREEZER_API_BODY_LIMIT ?? '1048576', 1, 2 ** 31),
    auth: authConfig(flags.auth ?? env.FREEZER_API_AUTH ?? 'noauth', env),
    scope: scopeSetting(flags.scope ?? env.FREEZER_API_SCOPE ?? 'project'),
    policyRules: policyRules(flags['policy-file'] ?? env.FREEZER_API_POLICY_FILE),
    shutdownTimeoutMs: 1000 * integer('FREEZER_API_SHUTDOWN_TIMEOUT', env.FREEZER_API_SHUTDOWN_TIMEOUT ?? '25', 0, 3600),
    database: {
      queryTimeoutMs: milliseconds('FREEZER_API_DB_QUERY_TIMEOUT_MS', env.FREEZER_API_DB_QUERY_TIMEOUT_MS ?? '5000'),
      acquireTimeoutMs: milliseconds('FREEZER_API_DB_ACQUIRE_TIMEOUT_MS', env.FREEZER_API_DB_ACQUIRE_TIMEOUT_MS ?? '2000'),
      waitSeconds: integer('FREEZER_API_DB_WAIT_SECONDS', env.FREEZER_API_DB_WAIT_SECONDS ?? '0', 0, 86400),
    },
    http: {
      headersTimeoutMs: milliseconds('FREEZER_API_HEADERS_TIMEOUT_MS', env.FREEZER_API_HEADERS_TIMEOUT_MS ?? '10000'),
      requestTimeoutMs: milliseconds('FREEZER_API_REQUEST_TIMEOUT_MS', env.FREEZER_API_REQUEST_TIMEOUT_MS ?? '30000'),
      keepAliveTimeoutMs: milliseconds('FREEZER_API_KEEPALIVE_TIMEOUT_MS', env.FREEZER_API_KEEPALIVE_TIMEOUT_MS ?? '5000'),
    },
    trustProxy: flag('FREEZER_API_TRUST_PROXY', env.FREEZER_API_TRUST_PROXY ?? 'false'),
    metrics: {
      token: env.FREEZER_API_METRICS_TOKEN || undefined,
      listen: env.FREEZER_API_METRICS_LISTEN ? listenAddress(env.FREEZER_API_METRICS_LISTEN) : undefined,
    },
    log: {
      level: logLevel(env.FREEZER_API_LOG_LEVEL ?? 'info'),
      pretty: logFormat(env.FREEZER_API_LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'pretty',
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

function flag(name: string, value: string): boolean {
  if (/^(true|1|yes|on)$/i.test(value)) return true;
  if (/^(false|0|no|off)$/i.test(value)) return false;
  throw new ConfigError(`${name} must be true or false, not "${value}"`);
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

function authConfig(mode: string, env: NodeJS.ProcessEnv): NoAuth | KeystoneAuth {
  if (mode === 'noauth') {
    return { mode, defaultUserId: nonEmpty('FREEZER_API_DEFAULT_USER', env.FREEZER_API_DEFAULT_USER ?? 'default-user') };
  }
  if (mode !== 'keystone') throw new ConfigError(`auth must be noauth or keystone, not "${mode}"`);
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new ConfigError(`${name} must be set when auth is keystone`);
    return value;
  };
  const url = required('FREEZER_API_KEYSTONE_URL');
  if (!/^https?:\/\/[^/]+/.test(url)) throw new ConfigError(`FREEZER_API_KEYSTONE_URL must be an http(s) URL, not "${url}"`);
  return {
    mode,
    keystone: {
      url,
      username: required('FREEZER_API_KEYSTONE_USERNAME'),
      password: required('FREEZER_API_KEYSTONE_PASSWORD'),
      projectName: env.FREEZER_API_KEYSTONE_PROJECT ?? 'service',
      userDomainName: env.FREEZER_API_KEYSTONE_USER_DOMAIN ?? 'Default',
      projectDomainName: env.FREEZER_API_KEYSTONE_PROJECT_DOMAIN ?? 'Default',
      timeoutMs: integer('FREEZER_API_KEYSTONE_TIMEOUT_MS', env.FREEZER_API_KEYSTONE_TIMEOUT_MS ?? '5000', 1, 600000),
      cacheSeconds: integer('FREEZER_API_TOKEN_CACHE_SECONDS', env.FREEZER_API_TOKEN_CACHE_SECONDS ?? '300', 0, 86400),
      negativeCacheSeconds: 5,
      cacheSize: 10000,
    },
    trusts: {
      mode: trustMode(env.FREEZER_API_TRUSTS ?? 'central'),
      roles: roleList('FREEZER_API_TRUST_ROLES', env.FREEZER_API_TRUST_ROLES ?? 'member'),
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

function trustMode(value: string): TrustSettings['mode'] {
  if (value !== 'off' && value !== 'central' && value !== 'always') {
    throw new ConfigError(`FREEZER_API_TRUSTS must be off, central or always, not "${value}"`);
  }
  return value;
}

function roleList(name: string, value: string): string[] {
  const roles = value
    .split(',')
    .map((role) => role.trim())
    .filter((role) => role !== '');
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

const milliseconds = (name: string, value: string) => integer(name, value, 1, 3600000);

function integer(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${value}"`);
  }
  return n;
}
