import { OptionError } from '@troupe/transport';
import { describe, expect, it } from 'vitest';
import { checkDuration, MAX_DURATION_MS } from './duration.js';

describe('checkDuration', () => {
  it('accepts 1..2^31-1 ms and refuses the rest, naming the property', () => {
    expect(checkDuration('x', 1)).toBe(1);
    expect(checkDuration('x', MAX_DURATION_MS)).toBe(MAX_DURATION_MS);
    expect(checkDuration('x', 2.5)).toBe(2.5);
    for (const bad of [0, 0.5, -1, MAX_DURATION_MS + 1, 3e9, Infinity, Number.NaN, '10', undefined]) {
      expect(() => checkDuration('link.downTimeoutMs', bad)).toThrow(OptionError);
      expect(() => checkDuration('link.downTimeoutMs', bad)).toThrow(/option link\.downTimeoutMs/);
    }
  });
});
