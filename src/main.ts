// The server's command line: `node dist/src/main.js [--host H] [--port P] [--database URL] …`,
// or `node dist/src/main.js policy [--policy-file PATH]` to print the rules in effect.
import { createPolicy, renderPolicy } from './auth/policy';
import { ConfigError, loadConfig } from './config';
import { startServer } from './server';

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'policy') {
    process.stdout.write(renderPolicy(createPolicy(loadConfig(rest).policyRules)));
    return;
  }
  const config = loadConfig();
  if (config.auth.mode === 'noauth' && !isLoopback(config.host)) {
    console.warn(
      `\n!!! freezer-api: WARNING: noauth mode on ${config.host}: anyone who can reach this port can act as any user.\n` +
        '!!! Set FREEZER_API_AUTH=keystone (see the README), or bind to 127.0.0.1.\n',
    );
  }
  const server = await startServer(config);
  const log = server.log;
  log.info(`freezer-api listening on ${server.url} (${config.auth.mode}, database: ${redact(config.databaseUrl)})`);
  if (server.metricsUrl) log.info(`freezer-api: metrics on ${server.metricsUrl}`);
  // Drains (src/http/drain.ts): exit 0 when every request in flight finished, 1 when some were cut.
  const stop = (signal: string) => {
    log.info(`freezer-api: ${signal}: draining (up to ${config.shutdownTimeoutMs / 1000} s)`);
    // close() writes out the log's buffer last; lines after it are written synchronously by exit.
    server.close().then(
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

/** Never print a database password. */
const redact = (url: string) => url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');

main().catch((err: unknown) => {
  // One clear line: configuration mistakes and unreachable databases are the usual causes.
  const message = err instanceof ConfigError ? err.message : ((err as Error).message ?? String(err));
  console.error(`freezer-api: cannot start: ${message}`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
