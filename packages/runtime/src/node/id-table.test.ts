// The id table against a Map: the same answers under random churn, colliding ids and growth.
import { describe, expect, it } from 'vitest';
import { IdTable } from './id-table.js';

/** A small deterministic generator (mulberry32), so a failure replays. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

describe('IdTable', () => {
  it('answers as a Map does under random sets and deletes, colliding ids included', () => {
    for (const spread of [0x3fffffff, 0x3ff]) {
      const random = seeded(spread);
      const table = new IdTable<number>();
      const model = new Map<number, number>();
      for (let step = 0; step < 20_000; step++) {
        // A narrow spread makes many ids share low bits, so probe runs form and deletes shift them.
        const id = (random() & spread) | 1;
        const r = random() % 3;
        if (r === 0) expect(table.delete(id)).toBe(model.delete(id));
        else {
          table.set(id, step);
          model.set(id, step);
        }
        if (step % 2500 === 0) {
          expect(table.size).toBe(model.size);
          for (const [k, v] of model) expect(table.get(k)).toBe(v);
        }
        expect(table.get(id)).toBe(model.get(id));
      }
      expect(table.values().sort((a, b) => a - b)).toEqual([...model.values()].sort((a, b) => a - b));
    }
  });

  it('grows past its capacity and empties back to nothing', () => {
    const table = new IdTable<string>();
    const ids = Array.from({ length: 1000 }, (_, i) => (i + 1) * 64);
    for (const id of ids) table.set(id, `v${id}`);
    expect(table.size).toBe(1000);
    expect(table.get(64_000)).toBe('v64000');
    for (const id of ids) expect(table.delete(id)).toBe(true);
    expect(table.size).toBe(0);
    expect(table.values()).toEqual([]);
    expect(table.get(64)).toBeUndefined();
  });
});
