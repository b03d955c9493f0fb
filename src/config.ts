// Every setting the server reads, parsed once from the environment and the command line.
import { parseArgs } from 'node:util';
import { DEFAULT_DATABASE_URL, knexConfig } from '../knexfile';

export interface Config {
  host: string;
  port: number;
  databaseUrl: string;
  /** The user assumed in noauth mode when a request has no X-User-Id. */
  defaultUserId: string;
  /** Request bodies above this many bytes are answered with 413. */
  bodyLimitBytes: number;
}

export class ConfigError extends Error {}

const USAGE = 'usage: freezer-api [--host HOST] [--port PORT] [--database URL]';

/** Flags win over environment variables, which win over the defaults. */
export function loadConfig(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Config {
  let flags: { host?: string; port?: string; database?: string };
  try {
    flags = parseArgs({
      args: argv,
      options: { host: { type: 'string' }, port: { type: 'string' }, database: { type: 'string' } },
      strict: true,
    }).values;
  } catch (err) {
    throw new ConfigError(`${(err as Error).message} (${USAGE})`);
  }
  const config: Config = {
    host: nonEmpty('host', flags.host ?? env.FREEZER_API_HOST ?? '127.0.0.1'),
    port: integer('port', flags.port ?? env.FREEZER_API_PORT ?? '9090', 0, 65535),
    databaseUrl: flags.database ?? env.FREEZER_API_DATABASE_URL ?? DEFAULT_DATABASE_URL,
    defaultUserId: nonEmpty('FREEZER_API_DEFAULT_USER', env.FREEZER_API_DEFAULT_USER ?? 'default-user'),
    bodyLimitBytes: integer('FREEZER_API_BODY_LIMIT', env.FREEZER_API_BODY_LIMIT ?? '1048576', 1, 2 ** 31),
  };
  try {
    knexConfig(config.databaseUrl);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return config;
}

function nonEmpty(name: string, value: string): string {
  if (value.trim() === '') throw new ConfigError(`${name} must not be empty`);
  return value;
}

function integer(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${value}"`);
  }
  return n;
}
