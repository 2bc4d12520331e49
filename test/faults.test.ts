// Test-cluster faults: partitions that both sides detect and that heal, and slowed links.
import { Addr, NodeDownError, TimeoutError } from '@troupe/runtime';
import { createTestCluster, type TestCluster, waitFor, waitForEvent } from '@troupe/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { Counter } from './actors.js';

const link = { downTimeoutMs: 800, heartbeatIntervalMs: 100, reconnectBaseMs: 20, reconnectMaxMs: 200 };
let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function counters(c: TestCluster): Promise<void> {
  for (const n of c.nodes()) n.spawn(Counter, { name: 'counter', args: { start: 0 } });
  for (const a of c.nodes())
    for (const b of c.nodes()) if (a !== b) await a.ref<typeof Counter>(b.addr, 'counter').call.get();
}

describe('test cluster faults', () => {
  it('partition(a, b): both sides declare each other down, others still reach both; heal brings them back', async () => {
    cluster = await createTestCluster({ nodes: ['1.1.1', '1.2.1', '1.3.1'], nodeOptions: { link } });
    await counters(cluster);
    const a = cluster.node('1.1.1');
    const b = cluster.node('1.2.1');
    const c = cluster.node('1.3.1');
    const aSeesB = waitForEvent(a, 'memberDown', 3000, (m: { addr: number }) => m.addr === b.addr);
    const bSeesA = waitForEvent(b, 'memberDown', 3000, (m: { addr: number }) => m.addr === a.addr);
    cluster.partition('1.1.1', '1.2.1');
    const cut = a
      .ref<typeof Counter>(b.addr, 'counter')
      .call.add(1)
      .catch((e: unknown) => e);
    await Promise.all([aSeesB, bSeesA]);
    expect(await cut).toBeInstanceOf(NodeDownError);
    expect(await c.ref<typeof Counter>(a.addr, 'counter').call.add(1)).toBe(1);
    expect(await c.ref<typeof Counter>(b.addr, 'counter').call.add(1)).toBe(1);
    expect(a.members().map((m) => Addr.format(m.addr))).not.toContain('1.2.1');

    const aSeesBAgain = waitForEvent(a, 'memberUp', 5000, (m: { addr: number }) => m.addr === b.addr);
    cluster.heal();
    await aSeesBAgain;
    await waitFor(() => b.members().some((m) => m.addr === a.addr), 5000, 'b sees a again');
    expect(await a.ref<typeof Counter>(b.addr, 'counter').call.add(1)).toBe(2);
  });

  it('slow(from, to, ms) holds frames back; heal releases them', async () => {
    cluster = await createTestCluster({ nodes: ['1.1.1', '1.2.1'], nodeOptions: { link } });
    await counters(cluster);
    const a = cluster.node('1.1.1');
    const counter = a.ref<typeof Counter>('1.2.1', 'counter');
    cluster.slow('1.1.1', '1.2.1', 400);
    await expect(counter.call.add(1, { timeoutMs: 150 })).rejects.toBeInstanceOf(TimeoutError);
    // The held ask still arrives: slow is not lossy.
    await waitFor(
      async () => (await counter.call.get(undefined, { timeoutMs: 1000 })) === 1,
      3000,
      'held ask',
    );
    cluster.heal('1.1.1', '1.2.1');
    expect(await counter.call.add(1, { timeoutMs: 150 })).toBe(2);
    expect(a.members().some((m) => m.addr === Addr.parse('1.2.1'))).toBe(true);
  });

  it('keeps a partition across a restart of one side', async () => {
    cluster = await createTestCluster({ nodes: ['1.1.1', '1.2.1'], nodeOptions: { link } });
    await counters(cluster);
    const a = cluster.node('1.1.1');
    const down = waitForEvent(a, 'memberDown', 3000, (m: { addr: number }) => m.addr === Addr.parse('1.2.1'));
    cluster.partition('1.1.1', '1.2.1');
    await down;
    const b = await cluster.restart('1.2.1');
    b.spawn(Counter, { name: 'counter', args: { start: 7 } });
    await expect(
      a.ref<typeof Counter>('1.2.1', 'counter').call.get(undefined, { timeoutMs: 300 }),
    ).rejects.toThrow();
    cluster.heal();
    await waitFor(
      async () =>
        (await a
          .ref<typeof Counter>('1.2.1', 'counter')
          .call.get(undefined, { timeoutMs: 300 })
          .catch(() => -1)) === 7,
      5000,
      'the restarted node after heal',
    );
  });
});
