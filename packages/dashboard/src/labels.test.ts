import { describe, expect, it } from 'vitest';
import { OTHER_LABEL, ReasonCounts, ReasonLabels } from './labels.js';

describe('ReasonLabels', () => {
  it('folds digits and details, and caps the number of distinct values', () => {
    const labels = new ReasonLabels(2);
    expect(labels.label('reply to ask 812 nobody waits for')).toBe('reply to ask N nobody waits for');
    expect(labels.label('reply to ask 9 nobody waits for')).toBe('reply to ask N nobody waits for');
    expect(labels.label('malformed frame: bad kind 7')).toBe('malformed frame');
    expect(labels.label('something new')).toBe(OTHER_LABEL);
    expect(labels.label('malformed frame: other detail')).toBe('malformed frame');
    expect(labels.label('')).toBe(OTHER_LABEL);
  });

  it('counts by label with a total', () => {
    const counts = new ReasonCounts(5);
    counts.add('actor not found');
    counts.add('actor not found');
    counts.add('unknown handler');
    expect(Object.fromEntries(counts.entries())).toEqual({ 'actor not found': 2, 'unknown handler': 1 });
    expect(counts.total()).toBe(3);
  });
});
