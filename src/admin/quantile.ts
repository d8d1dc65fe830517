/**
 * Quantiles of a Prometheus histogram over an interval, from the change in its
 * cumulative bucket counts: the dashboard's p50/p99 without keeping samples
 * on the message path. Linear within a bucket, as PromQL's histogram_quantile.
 */
import type { Histogram } from 'prom-client';

/** Cumulative counts per upper bound, ascending; the last bound is +Inf. */
export interface Buckets {
  bounds: number[];
  counts: number[];
}

export async function readBuckets(histogram: Histogram): Promise<Buckets> {
  const { values } = await histogram.get();
  const bounds: number[] = [];
  const counts: number[] = [];
  for (const value of values) {
    if (!value.metricName?.endsWith('_bucket')) continue;
    const le = value.labels.le;
    bounds.push(le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le));
    counts.push(value.value);
  }
  return { bounds, counts };
}

/** The q-quantile (0..1) of what was observed between `before` and `after`; null when nothing was. */
export function intervalQuantile(before: Buckets | null, after: Buckets, q: number): number | null {
  const delta = after.counts.map((count, i) => count - (before?.counts[i] ?? 0));
  const total = delta.at(-1) ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  for (let i = 0; i < delta.length; i++) {
    const count = delta[i] ?? 0;
    if (count < rank) continue;
    const upper = after.bounds[i] ?? Number.POSITIVE_INFINITY;
    const lower = i === 0 ? 0 : (after.bounds[i - 1] ?? 0);
    // Past the last finite bound the best estimate is that bound.
    if (!Number.isFinite(upper)) return lower;
    const below = i === 0 ? 0 : (delta[i - 1] ?? 0);
    const inBucket = count - below;
    return inBucket <= 0 ? upper : lower + ((upper - lower) * (rank - below)) / inBucket;
  }
  return after.bounds.at(-2) ?? null;
}
