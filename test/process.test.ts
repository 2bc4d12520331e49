// Nodes in child processes: kill -9 and SIGSTOP are detected by the survivors within 2 s (default
// settings); a 500 ms event-loop stall is not taken for a death.
import { fileURLToPath } from 'node:url';
import { type EtcdTestMembership, etcdAvailable, etcdTestMembership } from '@troupe/membership-etcd/testing';
import { Addr, type Node, NodeDownError } from '@troupe/runtime';
import {
  createTestCluster,
  freePort,
  type NodeProcess,
  startNodeProcess,
  type TestCluster,
  waitFor,
  waitForEvent,
} from '@troupe/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { Counter } from './actors.js';

const fixture = fileURLToPath(new URL('./fixtures/node-process.ts', import.meta.url));
let cluster: TestCluster | undefined;
let child: NodeProcess | undefined;
/** The etcd of the current test, when it runs over etcd (the cluster stops it on close). */
let etcd: EtcdTestMembership | undefined;

afterEach(async () => {
  await child?.close();
  child = undefined;
  await cluster?.close();
  cluster = undefined;
  etcd = undefined;
});

/** Lets time pass while listeners record what happens (for checks that something does not happen). */
const observeFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function childMembership(c: TestCluster, kind: 'static' | 'center' | 'etcd', port: number): unknown {
  switch (kind) {
    case 'center':
      return { kind, center: { addr: '1.1.1', host: '127.0.0.1', port: c.port('1.1.1') } };
    case 'etcd':
      return { kind, endpoints: [etcd!.server.endpoint] };
    case 'static':
      return {
        kind,
        members: [
          { addr: '1.1.1', port: c.port('1.1.1') },
          { addr: '1.2.1', port: c.port('1.2.1') },
          { addr: '1.2.9', port },
        ],
      };
  }
}

async function startWithChild(
  kind: 'static' | 'center' | 'etcd',
): Promise<{ survivors: Node[]; victim: Addr }> {
  const port = await freePort();
  etcd = kind === 'etcd' ? await etcdTestMembership() : undefined;
  cluster = await createTestCluster({
    membership: etcd ?? (kind as 'static' | 'center'),
    nodes: ['1.1.1', '1.2.1'],
    external: [{ addr: '1.2.9', port }],
  });
  child = await startNodeProcess({
    script: fixture,
    config: {
      addr: '1.2.9',
      port,
      secret: 'test-cluster-secret',
      membership: childMembership(cluster, kind, port),
    },
  });
  const victim = Addr.parse('1.2.9');
  const survivors = cluster.nodes();
  for (const s of survivors) {
    await waitFor(
      async () =>
        (await s
          .ref<typeof Counter>(victim, 'counter')
          .call.get(undefined, { timeoutMs: 500 })
          .catch(() => -1)) === 0,
      10_000,
      'child answers',
    );
    await waitFor(() => s.members({ type: 2 }).some((m) => m.addr === victim), 5000, 'child in view');
  }
  return { survivors, victim };
}

describe('a node that stops answering (SIGSTOP)', () => {
  it('is declared down by heartbeat within the down timeout; its pending asks fail then, not at their deadline', async () => {
    const { survivors, victim } = await startWithChild('static');
    const a = survivors[0]!;
    const pending = a
      .ref<typeof Counter>(victim, 'counter')
      .call.get(undefined, { timeoutMs: 30_000 })
      .catch((e: unknown) => e);
    const down = waitForEvent<[{ addr: number }, string]>(a, 'memberDown', 3000, (m) => m.addr === victim);
    const t0 = Date.now();
    child!.pause();
    try {
      // The ask may have been answered before the stop landed; send one that cannot be.
      const late = a
        .ref<typeof Counter>(victim, 'counter')
        .call.get(undefined, { timeoutMs: 30_000 })
        .catch((e: unknown) => e);
      const [m, reason] = await down;
      expect(m).toBeDefined();
      expect(reason).toMatch(/heartbeat|silent/);
      expect(await late).toBeInstanceOf(NodeDownError);
      expect(Date.now() - t0).toBeLessThan(2600);
      await pending;
    } finally {
      child!.resume();
    }
  });
});

describe('an event-loop stall of 500 ms', () => {
  it('causes no false down with default settings', async () => {
    const { survivors, victim } = await startWithChild('center');
    const downs: string[] = [];
    for (const s of survivors) s.on('memberDown', (m) => downs.push(Addr.format(m.addr)));
    await child!.stall(500);
    // Traffic right after the stall still reaches the same incarnation.
    for (const s of survivors)
      expect(await s.ref<typeof Counter>(victim, 'counter').call.add(1)).toBeGreaterThan(0);
    // A negative check needs a window: watch across a full down timeout, several heartbeats and a
    // lease renewal after the stall for a false down.
    await observeFor(2500);
    expect(downs).toEqual([]);
    expect(survivors.every((s) => s.members().some((m) => m.addr === victim))).toBe(true);
  });
});

describe('kill -9 of a node process', () => {
  it.each(
    (['static', 'center', 'etcd'] as const).filter((k) => k !== 'etcd' || etcdAvailable() || process.env.CI),
  )('is detected within 2 s over %s membership', async (kind) => {
    const { survivors, victim } = await startWithChild(kind);
    const downs = survivors.map((s) =>
      waitForEvent(s, 'memberDown', 2000, (m: { addr: number }) => m.addr === victim),
    );
    const t0 = Date.now();
    const killed = child!.kill();
    await Promise.all(downs);
    await killed;
    expect(Date.now() - t0).toBeLessThan(2000);
    for (const s of survivors)
      for (let i = 0; i < 10; i++) expect(s.pick(2, 'roundRobin').addr).not.toBe(victim);
  });
});
