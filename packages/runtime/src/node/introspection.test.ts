// node.stats() and troupe.node, observer nodes, remote spawn and ctx.node over real nodes.
import { Addr } from '@troupe/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { defineActor } from '../actor/define.js';
import { ActorExistsError } from '../errors.js';
import { createTestCluster, type TestCluster } from '../testing/cluster.js';
import type { Extension } from './extension.js';
import type { Node } from './node.js';
import { isObserver } from './observer.js';
import { UnknownActorTypeError } from './seam-errors.js';
import type { NodeStats } from './stats.js';
import { NODE_ACTOR } from './system-actor.js';

const link = { downTimeoutMs: 800, heartbeatIntervalMs: 100, reconnectBaseMs: 20, reconnectMaxMs: 200 };
let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** Releases the actors holding their mailboxes in `Gate.hold`. */
const releases: Array<() => void> = [];

/** Holds its mailbox (the handler awaits) until the test releases it. */
const Gate = defineActor({
  init: () => ({}),
  handlers: {
    hold() {
      return new Promise<void>((resolve) => releases.push(resolve));
    },
    noop() {},
  },
});

const Counter = defineActor({
  init: (args: { start: number }) => ({ n: args.start }),
  handlers: {
    add(state, by: number) {
      state.n += by;
      return state.n;
    },
    where(_state, _arg?: undefined, ctx?) {
      return Addr.format(ctx!.self.node);
    },
  },
});

describe('node.stats() and troupe.node', () => {
  it('report actors, the deepest mailboxes, asks in flight, dead letters and extension sections', async () => {
    const counting: Extension = { name: 'counting', start: (h) => h.addStats(() => ({ sessions: 3 })) };
    cluster = await createTestCluster({
      nodes: ['1.1.1', '1.2.1'],
      nodeOptions: { link },
      perNode: { '1.2.1': { extensions: [counting] } },
    });
    const a = cluster.node('1.1.1');
    const b = cluster.node('1.2.1');
    const deep = b.spawn(Gate, { name: 'deep' });
    const shallow = b.spawn(Gate, { name: 'shallow' });
    b.spawn(Gate, { name: 'idle' });
    const holdDeep = deep.call.hold();
    const holdShallow = shallow.call.hold();
    for (let i = 0; i < 5; i++) deep.cast.noop();
    shallow.cast.noop();
    b.ref('1.2.1', 'nobody').tell('x');
    const pending = a.ref<typeof Gate>('1.2.1', 'deep').call.noop();

    const local = b.stats({ top: 1 });
    expect(local.addr).toBe('1.2.1');
    expect(local.actors.count).toBe(4);
    expect(local.actors.system).toBe(1);
    // Nothing ran yet (the dispatcher runs after this turn): the holds wait in the mailboxes too.
    expect(local.actors.mailboxes).toEqual([{ name: 'deep', depth: 6 }]);
    expect(local.deadLetters).toBe(1);
    expect(local.deadLettersByReason).toEqual({ 'actor not found': 1 });
    expect(local.extensions).toEqual({ counting: { sessions: 3 } });
    expect(local.members).toBe(2);
    expect(a.stats().asksInFlight).toBe(1);

    const remote = (await a.ref('1.2.1', NODE_ACTOR).ask('stats', { top: 2 })) as NodeStats;
    expect(remote.incarnation).toBe(b.incarnation);
    // The remote ask itself waits in deep's mailbox by now, behind the five casts.
    expect(remote.actors.mailboxes.map((m) => m.name)).toEqual(['deep', 'shallow']);
    expect(remote.transport.framesIn).toBeGreaterThan(0);
    const toB = a.stats().links.find((l) => l.peer === b.addr);
    expect(toB?.state).toBe('up');
    expect(toB!.bytesOut).toBeGreaterThan(0);
    expect(toB!.framesIn).toBeGreaterThan(0);
    expect(releases).toHaveLength(2);
    for (const release of releases.splice(0)) release();
    await Promise.all([holdDeep, holdShallow, pending]);
    expect(a.stats().asksInFlight).toBe(0);
    // The stats ask and the pending call, both answered.
    const asks = a.stats().asks;
    expect(asks).toMatchObject({ started: 2, inFlight: 0, settled: { ok: 2 } });
    expect(asks.latency.count).toBe(2);
    expect(asks.latency.counts.reduce((x, y) => x + y)).toBe(2);
  });
});

describe('observer mode', () => {
  it('sees the cluster and calls it, but is never picked', async () => {
    cluster = await createTestCluster({
      nodes: ['1.1.1', '1.2.1', '1.2.2'],
      membership: 'center',
      nodeOptions: { link },
      perNode: { '1.2.2': { observer: true } },
    });
    const observer = cluster.node('1.2.2');
    const worker = cluster.node('1.2.1');
    expect(observer.observer).toBe(true);
    expect(observer.stats().observer).toBe(true);
    const record = worker.members({ type: 2 }).find((m) => m.addr === observer.addr);
    expect(record !== undefined && isObserver(record)).toBe(true);
    for (const node of cluster.nodes()) {
      for (let i = 0; i < 20; i++) expect(Addr.format(node.pick(2, 'roundRobin').addr)).toBe('1.2.1');
    }
    worker.spawn(Counter, { name: 'c', args: { start: 1 } });
    expect(await observer.ref<typeof Counter>('1.2.1', 'c').call.add(1)).toBe(2);
  });
});

describe('remote spawn', () => {
  it('spawns a registered type on another node by address or by pick, typed like spawn', async () => {
    cluster = await createTestCluster({ nodes: ['1.1.1', '1.2.1'], nodeOptions: { link } });
    const a = cluster.node('1.1.1').register('Counter', Counter);
    const b = cluster.node('1.2.1').register('Counter', Counter);
    const c = await a.spawnOn('1.2.1', Counter, { name: 'c', args: { start: 10 } });
    expect(await c.call.add(1)).toBe(11);
    expect(await c.call.where()).toBe('1.2.1');
    expect(b.actorCount).toBe(1);
    const picked = await a.spawnOn<typeof Counter>({ type: 2 }, 'Counter', { args: { start: 0 } });
    expect(Addr.format(picked.node)).toBe('1.2.1');
    expect(await picked.call.add(2)).toBe(2);
    await expect(a.spawnOn('1.2.1', Counter, { name: 'c', args: { start: 0 } })).rejects.toBeInstanceOf(
      ActorExistsError,
    );
    const Other = defineActor({ init: () => ({}), handlers: {} });
    await expect(a.spawnOn('1.2.1', Other)).rejects.toBeInstanceOf(UnknownActorTypeError);
    a.register('Other', Other);
    await expect(a.spawnOn('1.2.1', Other)).rejects.toBeInstanceOf(UnknownActorTypeError);
    // On this node no registration is needed.
    const here = await a.spawnOn('1.1.1', Other, { name: 'o' });
    expect(here.toString()).toBe('1.1.1/o');
  });
});

describe('ActorContext.node', () => {
  it('lets handlers pick members, list them and use the KV', async () => {
    const Scout = defineActor({
      init: () => ({}),
      handlers: {
        async look(_s, _arg?: undefined, ctx?) {
          const node = ctx!.node;
          await node.kv.put('scout/seen', String(node.members().length));
          return { picked: Addr.format(node.pick(2).addr), seen: await node.kv.get('scout/seen') };
        },
      },
    });
    cluster = await createTestCluster({
      nodes: ['1.1.1', '1.2.1'],
      membership: 'center',
      nodeOptions: { link },
    });
    const scout = cluster.node('1.1.1').spawn(Scout, { name: 'scout' });
    expect(await scout.call.look()).toEqual({ picked: '1.2.1', seen: '2' });
  });
});

describe('remote spawn types', () => {
  it('types spawnOn like spawn: args required when init takes them', () => {
    const check = (node: Node) => {
      // @ts-expect-error: Counter's init takes args
      void node.spawnOn('1.2.1', Counter);
      // @ts-expect-error: args of the wrong shape
      void node.spawnOn('1.2.1', Counter, { args: { begin: 1 } });
      void node.spawnOn('1.2.1', Counter, { args: { start: 1 }, timeoutMs: 100 });
    };
    expect(typeof check).toBe('function');
  });
});
