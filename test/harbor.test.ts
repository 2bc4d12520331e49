// Harbors: traffic between groups goes sender -> own harbor -> target's harbor -> target.
import { Addr, type HarborStats, NodeDownError, UnreachableError } from '@troupe/runtime';
import { createTestCluster, type TestCluster, waitFor } from '@troupe/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { Counter, Sink, Source } from './actors.js';

const link = { downTimeoutMs: 800, heartbeatIntervalMs: 100, reconnectBaseMs: 20, reconnectMaxMs: 200 };
let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const harborStats = (c: TestCluster, addr: string) =>
  c
    .node(addr)
    .ref({ node: Addr.parse(addr), name: 'troupe.harbor' })
    .ask('stats') as Promise<HarborStats>;

describe('harbor', () => {
  it('carries typed calls and 100,000 ordered casts between two groups', async () => {
    cluster = await createTestCluster({
      nodes: ['1.255.1', '1.2.1', '1.3.1', '2.255.1', '2.2.1', '2.3.1'],
      nodeOptions: { link },
    });
    const a = cluster.node('1.2.1');
    const b = cluster.node('2.2.1');
    b.spawn(Counter, { name: 'counter', args: { start: 0 } });
    const sink = b.spawn(Sink, { name: 'sink' });
    const remote = a.ref<typeof Counter>('2.2.1', 'counter');
    expect(await remote.call.add(5)).toBe(5);
    remote.cast.add(1);
    expect(await remote.call.get()).toBe(6);
    // The reverse direction, from another node of each group.
    cluster.node('1.3.1').spawn(Counter, { name: 'counter', args: { start: 100 } });
    expect(await cluster.node('2.3.1').ref<typeof Counter>('1.3.1', 'counter').call.add(1)).toBe(101);

    const source = a.spawn(Source, { name: 'source' });
    const n = 100_000;
    await a.ref<typeof Sink>(sink.toJSON()).call.stats();
    await source.call.blast({ target: sink.toJSON(), n });
    const stats = a.ref<typeof Sink>(sink.toJSON());
    await waitFor(
      async () => (await stats.call.stats()).count === n,
      20_000,
      'all casts through the harbors',
    );
    expect(await stats.call.stats()).toEqual({ count: n, outOfOrder: 0 });
    const h1 = await harborStats(cluster, '1.255.1');
    const h2 = await harborStats(cluster, '2.255.1');
    expect(h1.framesForwarded).toBeGreaterThanOrEqual(n);
    expect(h2.framesForwarded).toBeGreaterThanOrEqual(n);
    expect(h1.bytesForwarded).toBeGreaterThan(n * 15);
  });

  it('moves traffic to the other harbor when one of two is killed; pending asks settle', async () => {
    cluster = await createTestCluster({
      nodes: ['1.255.1', '1.255.2', '1.2.1', '2.255.1', '2.2.1'],
      nodeOptions: { link },
    });
    const a = cluster.node('1.2.1');
    cluster.node('2.2.1').spawn(Counter, { name: 'counter', args: { start: 0 } });
    cluster.node('2.2.1').spawn(Counter, { name: 'sleeper', args: { start: 0 } });
    const remote = a.ref<typeof Counter>('2.2.1', 'counter');
    expect(await remote.call.add(1)).toBe(1);
    // Find the harbor this pair uses and kill it, with an ask in flight.
    const s1 = await harborStats(cluster, '1.255.1');
    const used = s1.framesForwarded > 0 ? '1.255.1' : '1.255.2';
    const pending = a.ref<typeof Counter>('2.2.1', 'sleeper').call.slow(60_000, { timeoutMs: 30_000 });
    await cluster.kill(used);
    const err = await pending.catch((e: unknown) => e);
    expect(err instanceof NodeDownError || err instanceof UnreachableError).toBe(true);
    await waitFor(
      async () => (await remote.call.add(1, { timeoutMs: 300 }).catch(() => -1)) > 0,
      5000,
      'traffic resumes',
    );
    const other = used === '1.255.1' ? '1.255.2' : '1.255.1';
    expect((await harborStats(cluster, other)).framesForwarded).toBeGreaterThan(0);
  });

  it('answers undeliverable asks with UnreachableError: hop limit, unknown group, missing harbor', async () => {
    cluster = await createTestCluster({
      nodes: ['1.255.1', '1.2.1', '2.255.1', '2.2.1', '3.2.1'],
      nodeOptions: { link },
      perNode: { '1.2.1': { maxHops: 1 } },
    });
    cluster.node('2.2.1').spawn(Counter, { name: 'counter', args: { start: 0 } });
    // maxHops 1: the first harbor takes the only hop; the second refuses.
    await expect(
      cluster.node('1.2.1').ref<typeof Counter>('2.2.1', 'counter').call.get(),
    ).rejects.toBeInstanceOf(UnreachableError);
    const hb = await harborStats(cluster, '2.255.1');
    expect(hb.dropped['hop limit']).toBe(1);
    // Group 7 has no harbor anywhere.
    const b = cluster.node('2.2.1');
    await expect(b.ref<typeof Counter>('7.2.1', 'counter').call.get()).rejects.toBeInstanceOf(
      UnreachableError,
    );
    // A node of a group without any harbor cannot leave its group.
    await expect(
      cluster.node('3.2.1').ref<typeof Counter>('2.2.1', 'counter').call.get(),
    ).rejects.toBeInstanceOf(UnreachableError);
    // A known group but an unknown node in it.
    await expect(b.ref<typeof Counter>('1.9.9', 'counter').call.get()).rejects.toBeInstanceOf(
      UnreachableError,
    );
  });

  it('watches across groups: fires when the watched node dies', async () => {
    cluster = await createTestCluster({
      nodes: ['1.255.1', '1.2.1', '2.255.1', '2.2.1'],
      nodeOptions: { link },
    });
    const a = cluster.node('1.2.1');
    cluster.node('2.2.1').spawn(Counter, { name: 'counter', args: { start: 0 } });
    const target = { node: Addr.parse('2.2.1'), name: 'counter' };
    await a.ref<typeof Counter>(target).call.get();
    const fired = new Promise<string>((resolve) => a.watch(target, (t) => resolve(t.reason)));
    const pending = a.ref<typeof Counter>(target).call.slow(60_000, { timeoutMs: 30_000 });
    await cluster.kill('2.2.1');
    expect(await fired).toMatch(/down/);
    await expect(pending).rejects.toBeInstanceOf(NodeDownError);
  });

  it('watches across groups: fires when the harbor path dies, and for a stopped actor', async () => {
    cluster = await createTestCluster({
      nodes: ['1.255.1', '1.2.1', '2.255.1', '2.2.1'],
      nodeOptions: { link },
    });
    const a = cluster.node('1.2.1');
    const b = cluster.node('2.2.1');
    const c1 = b.spawn(Counter, { name: 'c1', args: { start: 0 } });
    b.spawn(Counter, { name: 'c2', args: { start: 0 } });
    await a.ref<typeof Counter>('2.2.1', 'c1').call.get();
    const stopped = new Promise<string>((resolve) => a.watch(c1, (t) => resolve(t.reason)));
    // The watch travels ahead of this call on the same path, so it is registered when the reply comes.
    await a.ref<typeof Counter>('2.2.1', 'c1').call.get();
    b.stopActor(c1, 'retired');
    expect(await stopped).toBe('retired');
    const path = new Promise<string>((resolve) =>
      a.watch({ node: b.addr, name: 'c2' }, (t) => resolve(t.reason)),
    );
    await a.ref<typeof Counter>('2.2.1', 'c2').call.get();
    await cluster.kill('1.255.1');
    expect(await path).toMatch(/harbor path down|node down/);
  });

  it('fails in-flight asks when the harbor of the target group dies, then moves to its other harbor', async () => {
    cluster = await createTestCluster({
      nodes: ['1.255.1', '1.2.1', '2.255.1', '2.255.2', '2.2.1'],
      nodeOptions: { link },
    });
    const a = cluster.node('1.2.1');
    cluster.node('2.2.1').spawn(Counter, { name: 'counter', args: { start: 0 } });
    cluster.node('2.2.1').spawn(Counter, { name: 'sleeper', args: { start: 0 } });
    const remote = a.ref<typeof Counter>('2.2.1', 'counter');
    expect(await remote.call.add(1)).toBe(1);
    const used = (await harborStats(cluster, '2.255.1')).framesForwarded > 0 ? '2.255.1' : '2.255.2';
    const pending = a
      .ref<typeof Counter>('2.2.1', 'sleeper')
      .call.slow(60_000, { timeoutMs: 30_000 })
      .catch((e: unknown) => e);
    const t0 = Date.now();
    await cluster.kill(used);
    const err = await pending;
    expect(err instanceof NodeDownError || err instanceof UnreachableError).toBe(true);
    expect(Date.now() - t0).toBeLessThan(link.downTimeoutMs * 3);
    await waitFor(
      async () => (await remote.call.add(1, { timeoutMs: 300 }).catch(() => -1)) > 1,
      5000,
      'traffic resumes',
    );
  });

  it('fires a watch that cannot be delivered: no harbor for the group, or no such node in it', async () => {
    cluster = await createTestCluster({
      nodes: ['1.255.1', '1.2.1', '2.255.1', '2.2.1'],
      nodeOptions: { link },
    });
    const a = cluster.node('1.2.1');
    const noGroup = new Promise<string>((resolve) =>
      a.watch({ node: Addr.parse('7.2.1'), name: 'x' }, (t) => resolve(t.reason)),
    );
    const noNode = new Promise<string>((resolve) =>
      a.watch({ node: Addr.parse('2.9.9'), name: 'x' }, (t) => resolve(t.reason)),
    );
    expect(await noGroup).toMatch(/unreachable/);
    expect(await noNode).toMatch(/unreachable/);
  });
});
