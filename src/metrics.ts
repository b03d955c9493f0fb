// Prometheus metrics (prom-client), scraped from GET /metrics: requests by operation and status
// class, their latency, the requests in flight, the database pool, Keystone token validation,
// and the process itself (event-loop lag, heap, RSS, CPU). Counting a request costs two
// increments on children found once per operation and status class; everything else is read
// when scraped.
import type { Knex } from 'knex';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ValidationCounts } from './auth/keystone';

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export interface Metrics {
  /** Counts a request that ended: `operationId` undefined when it matched no operation. */
  requestEnded(operationId: string | undefined, status: number, durationMs: number): void;
  /** The exposition text. */
  render(): Promise<string>;
}

export interface MetricSources {
  db: Knex;
  /** Requests whose handling has started and not ended. */
  inFlight: () => number;
  /** Keystone mode's validation counts. */
  validations?: ValidationCounts;
}

/** Seconds: from a health check's microseconds to a search's seconds. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** Knex's pool (tarn), which Knex's types do not show. */
interface Pool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
}

export function createMetrics({ db, inFlight, validations }: MetricSources): Metrics {
  // A registry of its own, not prom-client's global one: one per server (tests run several).
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'freezer_api_' });
  const requests = new Counter({
    name: 'freezer_api_http_requests_total',
    help: 'HTTP requests answered, by operationId ("none" for a path that matches no operation) and status class.',
    labelNames: ['operation', 'status_class'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'freezer_api_http_request_duration_seconds',
    help: 'Time from a request reaching the application to its answer being ready, by operationId and status class.',
    labelNames: ['operation', 'status_class'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  new Gauge({
    name: 'freezer_api_http_requests_in_flight',
    help: 'Requests being handled now.',
    registers: [registry],
    collect() {
      this.set(inFlight());
    },
  });
  new Gauge({
    name: 'freezer_api_db_pool_connections',
    help: 'Database pool connections: used (lent to a request), free (idle), pending (requests waiting for one), creating.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const current = (db.client as { pool?: Pool }).pool;
      if (!current) return;
      this.set({ state: 'used' }, current.numUsed());
      this.set({ state: 'free' }, current.numFree());
      this.set({ state: 'pending' }, current.numPendingAcquires());
      this.set({ state: 'creating' }, current.numPendingCreates());
    },
  });
  if (validations) {
    new Counter({
      name: 'freezer_api_keystone_token_validations_total',
      help: 'Keystone tokens checked, by outcome: asked (Keystone was asked), cache_hit (answered from the cache), invalid (Keystone refused the token).',
      labelNames: ['outcome'] as const,
      registers: [registry],
      collect() {
        this.reset();
        this.inc({ outcome: 'asked' }, validations.asked);
        this.inc({ outcome: 'cache_hit' }, validations.cacheHits);
        this.inc({ outcome: 'invalid' }, validations.invalid);
      },
    });
  }

  type Children = { count: ReturnType<typeof requests.labels>; seconds: ReturnType<typeof latency.labels> }[];
  const children = new Map<string, Children>();
  const childrenOf = (operation: string): Children => {
    let found = children.get(operation);
    if (!found) {
      found = STATUS_CLASSES.map((statusClass) => ({
        count: requests.labels(operation, statusClass),
        seconds: latency.labels(operation, statusClass),
      }));
      children.set(operation, found);
    }
    return found;
  };

  return {
    requestEnded(operationId, status, durationMs) {
      const child = childrenOf(operationId ?? 'none')[Math.min(4, Math.max(0, Math.floor(status / 100) - 1))]!;
      child.count.inc();
      child.seconds.observe(durationMs / 1000);
    },
    render: () => registry.metrics(),
  };
}
