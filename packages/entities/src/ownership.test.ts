import { MemoryKv } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { decodeOwner, Ownership, ownerKey, parseOwnerKey } from './ownership.js';

describe('Ownership', () => {
  it('lets a lone claimant win and publishes it as the owner', async () => {
    const kv = new MemoryKv();
    const a = new Ownership(kv, { node: 1, incarnation: 'a' });
    expect(await a.read('player', 'p1')).toBeUndefined();
    expect(await a.claim('player', 'p1', 1)).toEqual({ won: true, epoch: 1 });
    await a.publish('player', 'p1', 1);
    expect(await a.read('player', 'p1')).toEqual({ node: 1, incarnation: 'a', epoch: 1, released: false });
  });

  it('never lets two claimants of one epoch both win, however their steps interleave', async () => {
    // Every interleaving of two claimants' put/list steps, forced through a KV that yields between ops.
    for (let seed = 0; seed < 200; seed++) {
      const kv = new MemoryKv();
      let tick = seed;
      const slow = {
        get: (k: string) => delay(() => kv.get(k)),
        put: (k: string, v: string) => delay(() => kv.put(k, v)),
        delete: (k: string) => delay(() => kv.delete(k)),
        list: (p: string) => delay(() => kv.list(p)),
        watch: kv.watch.bind(kv),
      };
      function delay<T>(fn: () => Promise<T>): Promise<T> {
        tick = (tick * 1103515245 + 12345) >>> 0;
        const turns = tick % 4;
        let p = Promise.resolve();
        for (let i = 0; i < turns; i++) p = p.then(() => new Promise((r) => setImmediate(r)));
        return p.then(fn);
      }
      const a = new Ownership(slow, { node: 1, incarnation: 'a' });
      const b = new Ownership(slow, { node: 2, incarnation: 'b' });
      const [ra, rb] = await Promise.all([a.claim('k', 'x', 7), b.claim('k', 'x', 7)]);
      expect(ra.won && rb.won).toBe(false);
      // A loser withdrew: a later lone claim at the same epoch succeeds unless the other won it.
      if (!ra.won && !rb.won) expect((await a.claim('k', 'x', 7)).won).toBe(true);
    }
  });

  it('a later epoch is claimed afresh and the older claims are cleaned up on publish', async () => {
    const kv = new MemoryKv();
    const a = new Ownership(kv, { node: 1, incarnation: 'a' });
    const b = new Ownership(kv, { node: 2, incarnation: 'b' });
    await a.claim('k', 'x', 1);
    await a.publish('k', 'x', 1);
    await a.release('k', 'x', 1);
    expect((await b.read('k', 'x'))?.released).toBe(true);
    expect((await b.claim('k', 'x', 2)).won).toBe(true);
    await b.publish('k', 'x', 2);
    const keys = kv.entries('troupe/entities/').map((e) => e.key);
    expect(keys.filter((k) => k.includes('/claim/'))).toHaveLength(1);
  });

  it('a claim of an epoch older than a claimed one loses, though publishing removed the older claims', async () => {
    // A claimant whose read of the record predates a newer owner's publication must not win its stale
    // epoch: the newer owner would be fenced by nobody and both would activate the shard's entities.
    const kv = new MemoryKv();
    const a = new Ownership(kv, { node: 1, incarnation: 'a' });
    const b = new Ownership(kv, { node: 2, incarnation: 'b' });
    await a.claim('k', 'x', 1);
    await a.publish('k', 'x', 1);
    expect((await a.claim('k', 'x', 2)).won).toBe(true);
    await a.publish('k', 'x', 2);
    expect(await b.claim('k', 'x', 1)).toEqual({
      won: false,
      epoch: 1,
      rivals: [{ node: 1, incarnation: 'a' }],
      newest: 2,
    });
    expect((await b.claim('k', 'x', 3)).won).toBe(true);
  });

  it('reports owner changes to watchers and parses keys and records defensively', async () => {
    const kv = new MemoryKv();
    const a = new Ownership(kv, { node: 1, incarnation: 'a' });
    const seen: unknown[] = [];
    const stop = a.watch((kind, id, r) => seen.push([kind, id, r?.epoch]));
    await a.claim('k', 'a/b c', 3);
    await a.publish('k', 'a/b c', 3);
    stop();
    expect(seen).toEqual([['k', 'a/b c', 3]]);
    expect(parseOwnerKey(ownerKey('k', 'a/b c'))).toEqual({ kind: 'k', id: 'a/b c' });
    expect(parseOwnerKey('troupe/entities/k/x/claim/1/2')).toBeUndefined();
    expect(decodeOwner('not json')).toBeUndefined();
    expect(decodeOwner('{"node":"x"}')).toBeUndefined();
  });
});
