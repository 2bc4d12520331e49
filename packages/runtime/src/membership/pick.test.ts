import { Addr } from '@troupe/transport';
import { describe, expect, it } from 'vitest';
import { Picker, rendezvous } from './pick.js';
import type { MemberRecord } from './provider.js';

const member = (p: number, load = 0): MemberRecord => ({
  addr: Addr.make(1, 2, p),
  host: '127.0.0.1',
  port: 1000 + p,
  export: false,
  available: true,
  load,
  incarnation: `i${p}`,
  meta: {},
});

describe('rendezvous hashing', () => {
  it('moves only about 1/N of the keys when an N-th member joins', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `player-${i}`);
    for (const n of [3, 5, 10]) {
      const before = Array.from({ length: n - 1 }, (_, i) => member(i + 1));
      const after = [...before, member(n)];
      let moved = 0;
      let movedElsewhere = 0;
      for (const k of keys) {
        const a = rendezvous(k, before)!.addr;
        const b = rendezvous(k, after)!.addr;
        if (a !== b) {
          moved++;
          if (b !== member(n).addr) movedElsewhere++;
        }
      }
      const share = moved / keys.length;
      expect(movedElsewhere).toBe(0); // keys only ever move to the newcomer
      expect(share).toBeGreaterThan((1 / n) * 0.8);
      expect(share).toBeLessThan((1 / n) * 1.2);
    }
  });

  it('spreads keys evenly and moves only the leaver’s keys', () => {
    const members = [1, 2, 3, 4].map((p) => member(p));
    const counts = new Map<number, number>();
    const keys = Array.from({ length: 20_000 }, (_, i) => i);
    for (const k of keys) {
      const a = rendezvous(k, members)!.addr;
      counts.set(a, (counts.get(a) ?? 0) + 1);
    }
    for (const c of counts.values()) expect(Math.abs(c - 5000)).toBeLessThan(500);
    const without = members.filter((m) => m.addr !== members[1]!.addr);
    for (const k of keys) {
      const a = rendezvous(k, members)!.addr;
      if (a !== members[1]!.addr) expect(rendezvous(k, without)!.addr).toBe(a);
    }
  });
});

describe('Picker', () => {
  it('cycles round robin per type and finds the least loaded', () => {
    const p = new Picker();
    const ms = [member(1, 9), member(2, 3), member(3, 7)];
    expect([0, 1, 2, 3].map(() => Addr.process(p.pick(2, ms, 'roundRobin')!.addr))).toEqual([1, 2, 3, 1]);
    expect(Addr.process(p.pick(2, ms, 'leastLoad')!.addr)).toBe(2);
    expect(p.pick(2, [], 'random')).toBeUndefined();
  });
});
