// One membership suite, run over every provider: static, center and etcd (a real etcd process).
import { etcdAvailable, etcdTestMembership } from '@troupe/membership-etcd/testing';
import { Addr, hash, type Node, NoMemberError } from '@troupe/runtime';
import {
  createTestCluster,
  type TestCluster,
  type TestMembership,
  waitFor,
  waitForEvent,
} from '@troupe/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { Counter } from './actors.js';

const link = { downTimeoutMs: 1000, heartbeatIntervalMs: 100, reconnectBaseMs: 20, reconnectMaxMs: 200 };
// etcd runs wherever it is installed (`pnpm test` installs it on Debian); a CI without it fails.
const providers = (['static', 'center', 'etcd'] as const).filter(
  (p) => p !== 'etcd' || etcdAvailable() || process.env.CI,
);
if (!providers.includes('etcd')) console.warn('etcd is not installed: the etcd membership runs are skipped');

/** The test-cluster membership for a provider name (etcd: a fresh etcd the cluster stops on close). */
const membershipOf = async (p: (typeof providers)[number]): Promise<TestMembership> =>
  p === 'etcd' ? await etcdTestMembership() : p;

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** Opens links between every pair, so link failure detection covers every member. */
async function warm(nodes: Node[]): Promise<void> {
  for (const n of nodes) n.spawn(Counter, { name: 'counter', args: { start: 0 } });
  for (const a of nodes)
    for (const b of nodes) if (a !== b) await a.ref<typeof Counter>(b.addr, 'counter').call.get();
}

const addrs = (members: Array<{ addr: number }>) => members.map((m) => Addr.format(m.addr as Addr)).sort();

describe.each(providers)('membership over %s', (provider) => {
  const shared = provider !== 'static';

  it('shows each node its own group, exported members of other groups and every harbor', async () => {
    cluster = await createTestCluster({
      membership: await membershipOf(provider),
      nodes: ['1.1.1', '1.2.1', '1.2.2', '2.2.1', '2.3.1', '2.255.1'],
      perNode: { '2.3.1': { export: true } },
      nodeOptions: { link },
    });
    const a = cluster.node('1.1.1');
    await waitFor(() => a.members().length === 5, 5000, 'full view');
    expect(addrs(a.members())).toEqual(['1.1.1', '1.2.1', '1.2.2', '2.255.1', '2.3.1']);
    expect(a.members({ type: 2 }).map((m) => Addr.format(m.addr))).toEqual(
      expect.arrayContaining(['1.2.1', '1.2.2']),
    );
    const self = a.members().find((m) => m.addr === a.addr)!;
    expect(self.port).toBe(a.port);
    expect(self.incarnation).toBe(a.incarnation);
    // pick across groups only returns exported members
    expect(Addr.format(a.pick(3).addr)).toBe('2.3.1');
    expect(() => a.pick(9)).toThrow(NoMemberError);
  });

  it('picks by random, roundRobin, leastLoad and a stable hash', async () => {
    cluster = await createTestCluster({
      membership: await membershipOf(provider),
      nodes: ['1.1.1', '1.2.1', '1.2.2', '1.2.3'],
      nodeOptions: { link },
    });
    const a = cluster.node('1.1.1');
    await waitFor(() => a.members({ type: 2 }).length === 3, 5000, 'three of type 2');
    const rr = [0, 1, 2, 3, 4, 5].map(() => Addr.format(a.pick(2, 'roundRobin').addr));
    expect(rr.slice(0, 3).sort()).toEqual(['1.2.1', '1.2.2', '1.2.3']);
    expect(rr.slice(3)).toEqual(rr.slice(0, 3));
    for (let i = 0; i < 20; i++) expect(Addr.type(a.pick(2, 'random').addr)).toBe(2);
    const h = a.pick(2, hash('player-42')).addr;
    for (let i = 0; i < 10; i++) expect(a.pick(2, hash('player-42')).addr).toBe(h);
    if (shared) {
      await cluster.node('1.2.1').setLoad(50);
      await cluster.node('1.2.2').setLoad(5);
      await cluster.node('1.2.3').setLoad(20);
      await waitFor(() => a.members({ type: 2 }).every((m) => m.load > 0), 5000, 'loads');
      expect(Addr.format(a.pick(2, 'leastLoad').addr)).toBe('1.2.2');
    } else {
      // Static membership has no registry: a node's load is known where it is reported.
      const b = cluster.node('1.2.1');
      await b.setLoad(7);
      expect(b.members().find((m) => m.addr === b.addr)?.load).toBe(7);
    }
  });

  it('drains a node with setAvailable(false): it leaves pick results but still answers', async () => {
    cluster = await createTestCluster({
      membership: await membershipOf(provider),
      nodes: ['1.1.1', '1.2.1', '1.2.2'],
      nodeOptions: { link },
    });
    const [a, b] = [cluster.node('1.1.1'), cluster.node('1.2.1')];
    await warm(cluster.nodes());
    const picker = shared ? a : b;
    await b.setAvailable(false);
    await waitFor(
      () => picker.members().find((m) => m.addr === b.addr)?.available === false,
      5000,
      'drained',
    );
    for (let i = 0; i < 20; i++) expect(Addr.format(picker.pick(2, 'roundRobin').addr)).toBe('1.2.2');
    expect(await a.ref<typeof Counter>(b.addr, 'counter').call.add(1)).toBe(1);
    await b.setAvailable(true);
    await waitFor(
      () => picker.members().find((m) => m.addr === b.addr)?.available === true,
      5000,
      'restored',
    );
  });

  it('reports a killed node down within 2 s and never picks it again', async () => {
    cluster = await createTestCluster({
      membership: await membershipOf(provider),
      nodes: ['1.1.1', '1.2.1', '1.2.2'],
    });
    const a = cluster.node('1.1.1');
    await warm(cluster.nodes());
    const victim = cluster.node('1.2.1').addr;
    const pending = a
      .ref<typeof Counter>(victim, 'counter')
      .call.slow(60_000, { timeoutMs: 30_000 })
      .catch((e: unknown) => e);
    const down = waitForEvent(a, 'memberDown', 2000, (m: { addr: number }) => m.addr === victim);
    const t0 = Date.now();
    await cluster.kill('1.2.1');
    await down;
    expect(await pending).toMatchObject({ code: 'NODE_DOWN' });
    expect(Date.now() - t0).toBeLessThan(2000);
    for (let i = 0; i < 20; i++) expect(a.pick(2, 'roundRobin').addr).not.toBe(victim);
  });

  it('treats a restart at the same address as a new member: old watchers get Terminated, the new one gets traffic', async () => {
    cluster = await createTestCluster({
      membership: await membershipOf(provider),
      nodes: ['1.1.1', '1.2.1'],
      nodeOptions: { link },
    });
    const a = cluster.node('1.1.1');
    await warm(cluster.nodes());
    const old = cluster.node('1.2.1');
    const oldInc = old.incarnation;
    const terminated = new Promise<string>((resolve) =>
      a.watch({ node: old.addr, name: 'counter' }, (t) => resolve(t.reason)),
    );
    await cluster.kill('1.2.1');
    expect(await terminated).toMatch(/node down/);
    const fresh = await cluster.restart('1.2.1');
    fresh.spawn(Counter, { name: 'counter', args: { start: 100 } });
    await waitFor(
      () => a.members().some((m) => m.addr === fresh.addr && m.incarnation === fresh.incarnation),
      5000,
      'new incarnation in view',
    );
    expect(fresh.incarnation).not.toBe(oldInc);
    await waitFor(
      async () =>
        (await a
          .ref<typeof Counter>(fresh.addr, 'counter')
          .call.get(undefined, { timeoutMs: 500 })
          .catch(() => -1)) === 100,
      5000,
      'traffic to the new incarnation',
    );
  });

  it('keeps config in a KV store with watches', async () => {
    cluster = await createTestCluster({
      membership: await membershipOf(provider),
      nodes: ['1.1.1', '1.2.1'],
      nodeOptions: { link },
    });
    const a = cluster.node('1.1.1');
    const b = cluster.node('1.2.1');
    const watcher = shared ? b : a;
    const events: string[] = [];
    const off = watcher.membership.kv.watch('routes/', (e) =>
      events.push(`${e.type}:${e.key}:${e.value ?? ''}`),
    );
    await a.membership.kv.put('routes/login', '{"type":3}');
    await a.membership.kv.put('other/x', '1');
    expect(await a.membership.kv.get('routes/login')).toBe('{"type":3}');
    expect(await a.membership.kv.list('routes/')).toEqual([{ key: 'routes/login', value: '{"type":3}' }]);
    if (shared) expect(await b.membership.kv.get('routes/login')).toBe('{"type":3}');
    await a.membership.kv.delete('routes/login');
    expect(await a.membership.kv.get('routes/login')).toBeUndefined();
    await waitFor(() => events.length === 2, 5000, 'kv events');
    expect(events).toEqual(['put:routes/login:{"type":3}', 'delete:routes/login:']);
    off();
  });
});
