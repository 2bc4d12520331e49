// Values survive the wire as they survive a local send: Map, Set, Date and bigint, as arguments and replies.
import { defineActor } from '@troupe/runtime';
import { createTestCluster, type TestCluster } from '@troupe/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';

const Echo = defineActor({
  init: () => ({}),
  handlers: {
    echo(_state, value: unknown) {
      return value;
    },
    describe(_state, value: { map: Map<unknown, unknown>; set: Set<unknown>; at: Date; id: bigint }) {
      return [value.map instanceof Map, value.set instanceof Set, value.at instanceof Date, typeof value.id];
    },
  },
});

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('values on the wire', () => {
  it('a Map, Set, Date and bigint arrive intact remotely, as they do locally', async () => {
    cluster = await createTestCluster({ nodes: ['1.1.1', '1.2.1'] });
    const a = cluster.node('1.1.1');
    const b = cluster.node('1.2.1');
    b.spawn(Echo, { name: 'echo' });
    a.spawn(Echo, { name: 'echo' });
    const value = {
      map: new Map<unknown, unknown>([
        ['player-1', { level: 3 }],
        [7, new Set(['a'])],
      ]),
      set: new Set([1, 2, 3]),
      at: new Date(1_700_000_000_000),
      id: 9_007_199_254_740_993n,
    };
    const remote = a.ref<typeof Echo>(b.addr, 'echo');
    const local = a.ref<typeof Echo>(a.addr, 'echo');
    expect(await remote.call.describe(value)).toEqual([true, true, true, 'bigint']);
    expect(await remote.call.describe(value)).toEqual(await local.call.describe(value));
    const back = (await remote.call.echo(value)) as typeof value;
    expect(back).toEqual(value);
    expect(back.map).toBeInstanceOf(Map);
    expect(back.id).toBe(9_007_199_254_740_993n);
  });
});
