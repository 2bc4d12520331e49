import { OptionError } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { resolveEntitiesOptions } from './options.js';
import { DEFAULT_SHARDS, shardOf } from './shards.js';

describe('shards', () => {
  it('hashes an id to the same shard every time, within range, spread evenly', () => {
    expect(shardOf('player-42', DEFAULT_SHARDS)).toBe(shardOf('player-42', DEFAULT_SHARDS));
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) {
      const s = shardOf(`player-${i}`, 16);
      expect(s >= 0 && s < 16).toBe(true);
      counts[s]!++;
    }
    for (const n of counts) expect(n).toBeGreaterThan(800);
    expect(shardOf('anything', 1)).toBe(0);
  });

  it('takes a shard count of 1..65,536, naming the property otherwise', () => {
    expect(resolveEntitiesOptions({ kinds: [] }).shards).toBe(DEFAULT_SHARDS);
    expect(resolveEntitiesOptions({ kinds: [], shards: 8 }).shards).toBe(8);
    for (const shards of [0, 1.5, 70_000])
      expect(() => resolveEntitiesOptions({ kinds: [], shards })).toThrow(OptionError);
    expect(() => resolveEntitiesOptions({ kinds: [], shards: 0 })).toThrow(/shards/);
  });
});
