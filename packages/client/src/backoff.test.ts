// Reconnect delays: bounds of the full-jitter backoff.

import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('spans min .. min + min*2^attempt, capped at max', () => {
    expect(backoffDelay(0, 500, 20_000, () => 0)).toBe(500);
    expect(backoffDelay(0, 500, 20_000, () => 0.999999)).toBe(1_000);
    expect(backoffDelay(3, 500, 20_000, () => 0.999999)).toBe(4_500);
    expect(backoffDelay(10, 500, 20_000, () => 0.999999)).toBe(20_000);
    expect(backoffDelay(1_000, 500, 20_000, () => 0.5)).toBe(10_500);
  });

  it('spreads delays over the whole window', () => {
    const delays = Array.from({ length: 2_000 }, () => backoffDelay(2, 100, 10_000));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...delays)).toBeLessThanOrEqual(500);
    expect(Math.min(...delays)).toBeLessThan(150);
    expect(Math.max(...delays)).toBeGreaterThan(450);
  });
});
