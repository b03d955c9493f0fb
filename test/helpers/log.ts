// A server log read back by the test: the same pino logger the server makes, writing JSON lines
// into memory instead of stdout.
import { Writable } from 'node:stream';
import { createLogger, type LogLevel, type LogOutput } from '../../src/log';

export interface CapturedLog {
  output: LogOutput;
  /** Every line logged so far, parsed (a line that is not JSON fails the test). */
  lines(): Record<string, unknown>[];
}

export function captureLog(level: LogLevel = 'info'): CapturedLog {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return {
    output: createLogger({ level, pretty: false }, sink),
    lines: () =>
      text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
