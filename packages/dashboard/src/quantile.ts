// Quantiles estimated from histogram buckets, as Prometheus' histogram_quantile does.

/**
 * The `q` quantile (0..1) of observations counted per bucket: `counts[i]` fell at or under `bounds[i]`
 * and above `bounds[i-1]` (0 for the first); the last count is over every bound. Interpolates linearly
 * inside the bucket; one in the unbounded bucket answers the highest bound. 0 with no observations.
 */
export function bucketQuantile(bounds: readonly number[], counts: readonly number[], q: number): number {
  let total = 0;
  for (const n of counts) total += n;
  if (total === 0) return 0;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i]!;
    if (n > 0 && below + n >= rank) {
      if (i >= bounds.length) return bounds[bounds.length - 1] ?? 0;
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      return lower + (bounds[i]! - lower) * ((rank - below) / n);
    }
    below += n;
  }
  return bounds[bounds.length - 1] ?? 0;
}

/** `now - prev` per bucket; `now` itself without a previous sample or after a counter went back. */
export function bucketDelta(now: readonly number[], prev: readonly number[] | undefined): number[] {
  if (prev === undefined || prev.length !== now.length || now.some((n, i) => n < prev[i]!)) return [...now];
  return now.map((n, i) => n - prev[i]!);
}
