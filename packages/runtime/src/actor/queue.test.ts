import { describe, expect, it } from 'vitest';
import { Queue } from './queue.js';

describe('queue', () => {
  it('keeps FIFO order across growth and wrap-around', () => {
    const q = new Queue<number>(4);
    const out: number[] = [];
    let next = 0;
    // Interleave pushes and shifts so the head wraps before the ring grows.
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 3; i++) q.push(next++);
      out.push(q.shift()!);
    }
    while (q.length > 0) out.push(q.shift()!);
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(q.shift()).toBeUndefined();
  });

  it('drains everything oldest first and holds no array until used', () => {
    const q = new Queue<string>(2);
    expect(q.drain()).toEqual([]);
    for (const s of ['a', 'b', 'c', 'd', 'e']) q.push(s);
    expect(q.drain()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(q.length).toBe(0);
  });
});
