/** Latency summary in milliseconds (nearest-rank percentiles). */
export interface Summary {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  if (!samples.length) return { count: 0, mean: 0, min: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    mean: round(total / sorted.length),
    min: round(sorted[0]),
    p50: round(rank(0.5)),
    p95: round(rank(0.95)),
    p99: round(rank(0.99)),
    max: round(sorted[sorted.length - 1]),
  };
}

/** `a / b` per percentile: how many times the floor each server latency is. */
export function ratios(server: Summary, floor: Summary): { p50: number; p95: number; p99: number; mean: number } {
  const ratio = (a: number, b: number) => (b > 0 ? round(a / b) : 0);
  return {
    p50: ratio(server.p50, floor.p50),
    p95: ratio(server.p95, floor.p95),
    p99: ratio(server.p99, floor.p99),
    mean: ratio(server.mean, floor.mean),
  };
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
