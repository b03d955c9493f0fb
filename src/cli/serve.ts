// `freezer-api serve`: start, say where, and drain on SIGTERM/SIGINT.
import { redactDatabaseUrl } from '../../knexfile';
import { ConfigError, type Config } from '../config';
import { describeFailure } from '../db/errors';
import { startServer } from '../server';

/** Resolves once listening; the signal handlers then own the process's exit. */
export async function serve(config: Config): Promise<void> {
  if (config.auth.mode === 'noauth' && !isLoopback(config.host)) {
    console.warn(
      `\n!!! freezer-api: WARNING: noauth mode on ${config.host}: anyone who can reach this port can act as any user.\n` +
        '!!! Set FREEZER_API_AUTH=keystone (see the README), or bind to 127.0.0.1.\n',
    );
  }
  const server = await startServer(config).catch((err: unknown) => {
    throw listenFailure(err, config) ?? err;
  });
  const log = server.log;
  const migrations = config.migrateAtStart ? '' : ', migrations at start off';
  log.info(
    `freezer-api listening on ${server.url} (${config.auth.mode}, database: ${redactDatabaseUrl(config.databaseUrl)}${migrations})`,
  );
  if (server.metricsUrl) log.info(`freezer-api: metrics on ${server.metricsUrl}`);
  // Drains (src/http/drain.ts): exit 0 when every request in flight finished, 1 when some were cut.
  const stop = (signal: string) => {
    // Said once new connections are refused. close() writes out the log's buffer last; lines
    // after it are written synchronously by exit.
    server
      .close(() => log.info(`freezer-api: ${signal}: draining (up to ${config.shutdownTimeoutMs / 1000} s)`))
      .then(
        (cut) => {
          if (cut.length === 0) process.exit(0);
          log.error(`freezer-api: drain time passed; cut ${cut.length} requests in flight: ${cut.join(', ')}`);
          log.flush();
          process.exit(1);
        },
        (err: unknown) => {
          log.error(`freezer-api: shutdown failed: ${(err as Error).message}`);
          log.flush();
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

/** A port taken or an address this machine does not have: the host and port settings' fault. */
function listenFailure(err: unknown, config: Config): ConfigError | undefined {
  if ((err as NodeJS.ErrnoException).syscall !== 'listen') return undefined;
  return new ConfigError(
    `cannot listen on ${config.host} port ${config.port} (--host/--port, FREEZER_API_HOST/FREEZER_API_PORT): ${describeFailure(err)}`,
  );
}
