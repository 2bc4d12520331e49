import { describe, expect, it } from 'vitest';
import { History } from './history.js';

describe('History', () => {
  it('keeps at most `count` entries per topic, oldest dropped first', () => {
    const h = new History({ count: 3, ageMs: 60_000 });
    for (let seq = 1; seq <= 5; seq++) h.push('room', seq, `m${seq}`, 1000);
    expect(h.since('room', 0, 1000).map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(h.since('room', 4, 1000).map((e) => e.data)).toEqual(['m5']);
  });

  it('drops entries older than `ageMs`', () => {
    const h = new History({ count: 10, ageMs: 100 });
    h.push('room', 1, 'old', 1000);
    h.push('room', 2, 'new', 1080);
    expect(h.since('room', 0, 1150).map((e) => e.seq)).toEqual([2]);
    expect(h.since('room', 0, 1300)).toEqual([]);
    expect(h.topics).toBe(0);
  });

  it('keeps nothing with a count of 0 and topics apart', () => {
    const off = new History({ count: 0, ageMs: 100 });
    off.push('room', 1, 'x');
    expect(off.since('room')).toEqual([]);
    const h = new History({ count: 2, ageMs: 1000 });
    h.push('a', 1, 'a1', 0);
    h.push('b', 1, 'b1', 0);
    expect(h.since('a', 0, 0).map((e) => e.data)).toEqual(['a1']);
    expect(h.topics).toBe(2);
  });
});
