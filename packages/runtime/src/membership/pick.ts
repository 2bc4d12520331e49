// Member selection strategies: random, round robin, least load, and rendezvous hashing.
import type { MemberRecord } from './provider.js';

/** How `pick` chooses among available members of a type. */
export type PickStrategy = 'random' | 'roundRobin' | 'leastLoad' | { hash: string | number };

/** `hash(key)` strategy: the same key lands on the same member while membership is stable. */
export function hash(key: string | number): { hash: string | number } {
  return { hash: key };
}

/** 32-bit FNV-1a over a string, then a murmur3 finaliser to spread the bits. */
function score(key: string, addr: number): number {
  let h = 0x811c9dc5;
  const s = `${key}\0${addr}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Rendezvous (highest random weight) hashing: each member scores the key, the highest wins. When a
 * member joins, only the keys it now wins move (about 1/N); when one leaves, only its keys move.
 */
export function rendezvous(key: string | number, members: readonly MemberRecord[]): MemberRecord | undefined {
  if (members.length === 1) return members[0];
  const k = String(key);
  let best: MemberRecord | undefined;
  let bestScore = -1;
  for (const m of members) {
    const sc = score(k, m.addr);
    if (sc > bestScore || (sc === bestScore && best !== undefined && m.addr < best.addr)) {
      best = m;
      bestScore = sc;
    }
  }
  return best;
}

/** Keeps the round-robin cursor per type. */
export class Picker {
  private readonly cursors = new Map<number, number>();

  pick(type: number, members: readonly MemberRecord[], strategy: PickStrategy): MemberRecord | undefined {
    if (members.length === 0) return undefined;
    if (typeof strategy === 'object') return rendezvous(strategy.hash, members);
    switch (strategy) {
      case 'random':
        return members[Math.floor(Math.random() * members.length)];
      case 'roundRobin': {
        const i = this.cursors.get(type) ?? 0;
        this.cursors.set(type, i + 1);
        return members[i % members.length];
      }
      case 'leastLoad': {
        let best = members[0]!;
        for (const m of members) if (m.load < best.load) best = m;
        return best;
      }
    }
  }
}
