// Small statistics for suites that measure the server: latency percentiles and the trend of a
// series of samples.

/** The `p`th percentile (nearest rank) of `values`, which need not be sorted; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** `p50 … p90 … p99 … max` of latencies in milliseconds, for a log line. */
export function latencySummary(values: readonly number[]): string {
  if (values.length === 0) return 'no requests';
  const ms = (p: number) => percentile(values, p).toFixed(1);
  return `p50 ${ms(50)} ms, p90 ${ms(90)} ms, p99 ${ms(99)} ms, max ${ms(100)} ms (${values.length} requests)`;
}

/** The least-squares slope of `y` over `x` (y units per x unit); 0 for fewer than two points. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const p of points) {
    covariance += (p.x - meanX) * (p.y - meanY);
    variance += (p.x - meanX) ** 2;
  }
  return variance === 0 ? 0 : covariance / variance;
}
