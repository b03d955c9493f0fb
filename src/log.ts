// The server's log: JSON lines on stdout (pino), one per request and one per event worth an
// operator's attention; human-readable on a terminal. Never a token, a password or a body.
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogSettings {
  level: LogLevel;
  /** Human-readable lines (a terminal) rather than JSON (a log shipper). */
  pretty: boolean;
}

/** What a logger writes to, so that the last lines can be written out before the process exits. */
export interface LogOutput {
  logger: Logger;
  /**
   * For the lines that start and stop the server ("listening on …", "draining"): logged at info
   * even when the level is warn or error, so that every log says when the server ran.
   */
  lifecycle: Logger;
  /** Writes out what is buffered, synchronously: before process.exit. */
  flush(): void;
}

/** `stream`: where the lines go instead of stdout (the tests read them back). */
export function createLogger(settings: LogSettings, stream?: pino.DestinationStream): LogOutput {
  const options: pino.LoggerOptions = {
    level: settings.level,
    name: 'freezer-api',
    // Epoch milliseconds are cheapest to write; log shippers and pino-pretty read them.
    formatters: { level: (label) => ({ level: label }) },
  };
  const lifecycleOf = (logger: Logger) =>
    logger.levelVal > logger.levels.values.info! && settings.level !== 'silent' ? logger.child({}, { level: 'info' }) : logger;
  if (stream) {
    const logger = pino(options, stream);
    return { logger, lifecycle: lifecycleOf(logger), flush: () => undefined };
  }
  if (settings.pretty) {
    const logger = pino(options, pretty({ colorize: true, sync: true, ignore: 'pid,hostname,name' }));
    return { logger, lifecycle: lifecycleOf(logger), flush: () => undefined };
  }
  // Asynchronous: a write in progress gathers the lines that follow it, so that under load
  // many lines go in one system call instead of one each.
  const destination = pino.destination({ dest: 1, sync: false });
  const logger = pino(options, destination);
  return {
    logger,
    lifecycle: lifecycleOf(logger),
    flush: () => {
      try {
        destination.flushSync();
      } catch {
        // Nothing written yet (still opening), or stdout is gone: nothing more can be done.
      }
    },
  };
}
