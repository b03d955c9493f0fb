// The health checks: oslo.middleware's /healthcheck as the original serves it (GET and HEAD, text
// or JSON), and /healthz and /readyz as orchestrators probe them, each answering within a second
// whatever the database does; and the Prometheus metrics.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Store } from '../../db/store';
import { ApiError } from '../../errors';
import type { Handlers } from '../types';

type MonitoringHandlers = Pick<
  Handlers,
  'getHealth' | 'headHealth' | 'getLiveness' | 'headLiveness' | 'getReadiness' | 'headReadiness' | 'getMetrics'
>;

/** GET /metrics as the server is configured to serve it. */
export interface Scrape {
  render(): Promise<string>;
  /** The bearer token scrapes must send, if any. */
  token?: string;
  /** Served on an address of its own (FREEZER_API_METRICS_LISTEN), not here. */
  elsewhere: boolean;
}

/** Compares digests, so that the time taken says nothing of the token. */
const digest = (text: string) => createHash('sha256').update(text).digest();
export const bearerMatches = (authorization: string, token: string): boolean =>
  timingSafeEqual(digest(authorization.replace(/^Bearer\s+/i, '')), digest(token)) && /^Bearer\s/i.test(authorization);

/** What the health checks know of the server around them. */
export interface Lifecycle {
  /** Shutting down: load balancers should send no more requests. */
  readonly draining: boolean;
}

/** The health checks answer within this, whatever the database does. */
export const HEALTH_TIMEOUT_MS = 1000;

/** `work`'s value, or `undefined` if it fails or takes longer than HEALTH_TIMEOUT_MS. */
async function withinHealthTimeout<T>(work: () => Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), HEALTH_TIMEOUT_MS)));
    return await Promise.race([work(), late]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

type Reason = 'OK' | 'DATABASE UNAVAILABLE' | 'SHUTTING DOWN';

export function monitoringHandlers(store: Store, lifecycle: Lifecycle, scrape: Scrape): MonitoringHandlers {
  const health = async (): Promise<Reason> => {
    if (lifecycle.draining) return 'SHUTTING DOWN';
    return (await withinHealthTimeout(async () => (await store.ping(), true))) ? 'OK' : 'DATABASE UNAVAILABLE';
  };
  const readiness = async () => {
    const pending = await withinHealthTimeout(() => store.pendingMigrations());
    const checks = {
      database: pending ? ('ok' as const) : ('unavailable' as const),
      migrations: !pending ? 'unknown' : pending.length > 0 ? `pending: ${pending.join(', ')}` : 'ok',
      shutdown: lifecycle.draining ? ('draining' as const) : ('ok' as const),
    };
    const ready = checks.database === 'ok' && checks.migrations === 'ok' && checks.shutdown === 'ok';
    return { ready, body: { status: ready ? ('ready' as const) : ('not ready' as const), checks } };
  };

  return {
    async getHealth(_request, ctx) {
      const reason = await health();
      const status = reason === 'OK' ? 200 : 503;
      // oslo's order of preference: text, then JSON; text for an Accept that allows neither.
      if (ctx.accepts('text/plain', 'application/json') === 'application/json') {
        return { status, body: { reasons: [reason], detailed: false }, mediaType: 'application/json' };
      }
      return reason === 'OK' ? { status: 200, body: 'OK' } : { status: 503, body: reason };
    },
    async headHealth() {
      return (await health()) === 'OK' ? { status: 204 } : { status: 503 };
    },
    getLiveness: () => ({ status: 200, body: { status: 'alive' } }),
    headLiveness: () => ({ status: 204 }),
    async getReadiness() {
      const { ready, body } = await readiness();
      return ready ? { status: 200, body } : { status: 503, body };
    },
    async headReadiness() {
      return (await readiness()).ready ? { status: 204 } : { status: 503 };
    },
    async getMetrics(_request, ctx) {
      if (scrape.elsewhere) throw new ApiError(404, 'The metrics are served on another address (FREEZER_API_METRICS_LISTEN).');
      if (scrape.token !== undefined && !bearerMatches(ctx.get('authorization'), scrape.token)) {
        throw new ApiError(401, 'The metrics need the bearer token the server is configured with.', {
          headers: { 'WWW-Authenticate': 'Bearer realm="freezer-api metrics"' },
        });
      }
      return { status: 200, body: await scrape.render() };
    },
  };
}
