// Quantile estimates from histogram buckets and bucket deltas between two samples.
import { describe, expect, it } from 'vitest';
import { bucketDelta, bucketQuantile } from './quantile.js';

const bounds = [1, 2, 5, 10];

describe('bucketQuantile', () => {
  it('interpolates inside the bucket holding the rank', () => {
    // 10 in (0,1], 10 in (1,2]: the median is the top of the first bucket, p75 halfway into the second.
    expect(bucketQuantile(bounds, [10, 10, 0, 0, 0], 0.5)).toBe(1);
    expect(bucketQuantile(bounds, [10, 10, 0, 0, 0], 0.75)).toBe(1.5);
    expect(bucketQuantile(bounds, [0, 0, 4, 0, 0], 0.99)).toBeCloseTo(2 + 3 * 0.99, 9);
  });

  it('answers the highest bound for the unbounded bucket, 0 with no observations', () => {
    expect(bucketQuantile(bounds, [1, 0, 0, 0, 99], 0.99)).toBe(10);
    expect(bucketQuantile(bounds, [0, 0, 0, 0, 0], 0.5)).toBe(0);
  });
});

describe('bucketDelta', () => {
  it('subtracts the previous sample, or keeps the counts after a restart or without one', () => {
    expect(bucketDelta([3, 5, 1], [1, 5, 0])).toEqual([2, 0, 1]);
    expect(bucketDelta([3, 5, 1], undefined)).toEqual([3, 5, 1]);
    expect(bucketDelta([0, 1, 0], [1, 5, 0])).toEqual([0, 1, 0]);
  });
});
