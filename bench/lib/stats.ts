/** Latency statistics over recorded samples (milliseconds). */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  const total = sorted.reduce((sum, n) => sum + n, 0);
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? Number.NaN),
    mean: round(sorted.length ? total / sorted.length : Number.NaN),
  };
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** Latency percentiles and throughput per time bucket, for charts "over time". */
export interface TimelineBucket {
  /** Bucket start, seconds since the measured interval began. */
  atSeconds: number;
  /** Messages delivered in the bucket, per second. */
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Buckets latency samples by when they were observed (`atMs`, ms since the
 * measured interval began, parallel to `valuesMs`) and deliveries by time.
 */
export function timeline(
  atMs: readonly number[],
  valuesMs: readonly number[],
  deliveredAtMs: readonly number[],
  durationMs: number,
  bucketMs: number,
): TimelineBucket[] {
  const count = Math.max(1, Math.ceil(durationMs / bucketMs));
  const samples: number[][] = Array.from({ length: count }, () => []);
  const delivered = new Array<number>(count).fill(0);
  atMs.forEach((at, i) => {
    const b = Math.floor(at / bucketMs);
    const v = valuesMs[i];
    if (b >= 0 && b < count && v !== undefined) samples[b]?.push(v);
  });
  for (const at of deliveredAtMs) {
    const b = Math.floor(at / bucketMs);
    if (b >= 0 && b < count) delivered[b] = (delivered[b] ?? 0) + 1;
  }
  return samples.map((list, b) => {
    const s = summarize(list);
    return {
      atSeconds: (b * bucketMs) / 1000,
      perSecond: ((delivered[b] ?? 0) * 1000) / bucketMs,
      p50: s.p50,
      p99: s.p99,
      max: s.max,
    };
  });
}
