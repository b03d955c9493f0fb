// The server's log of failed requests: one line each, and while one failure repeats (a database
// outage fails every request the same way) its first line, then a count of the rest per window.
import { describeFailure } from '../db/errors';
import type { Logger } from '../log';

export interface FailureLog {
  /**
   * Logs a request that failed with a 5xx. `kind` groups failures that repeat (one outage);
   * a bug (500) also gets its stack, once per kind and window.
   */
  failed(request: string, requestId: string, status: number, kind: string, cause: unknown): void;
  /** Writes the counts still pending, at shutdown. */
  flush(): void;
}

export function createFailureLog(logger: Logger, windowMs = 10000): FailureLog {
  /** Kinds logged in the current window, and how many more of each came since. */
  const open = new Map<string, { more: number; timer: NodeJS.Timeout }>();
  const close = (kind: string) => {
    const window = open.get(kind);
    if (!window) return;
    open.delete(kind);
    clearTimeout(window.timer);
    if (window.more > 0) {
      logger.error(
        { repeats: window.more, kind },
        `${window.more} more requests failed the same way within ${windowMs / 1000} s: ${kind}`,
      );
    }
  };
  return {
    failed(request, requestId, status, kind, cause) {
      const window = open.get(kind);
      if (window) {
        window.more++;
        return;
      }
      // A bug's stack helps whoever fixes it; an outage's says nothing its message does not.
      const stack = status === 500 && cause instanceof Error ? cause.stack : undefined;
      logger.error(
        { request_id: requestId, status, kind, cause: describeFailure(cause), stack },
        `${request} -> ${status}: ${kind} (${describeFailure(cause)})`,
      );
      open.set(kind, { more: 0, timer: setTimeout(() => close(kind), windowMs).unref() });
    },
    flush() {
      for (const kind of [...open.keys()]) close(kind);
    },
  };
}
