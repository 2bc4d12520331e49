import {
  ActorNotFoundError,
  NodeDownError,
  RemoteError,
  TimeoutError,
  UnknownHandlerError,
} from '@troupe/runtime';
import { createTestCluster, type TestCluster, waitFor, waitForEvent } from '@troupe/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { Counter, Sink, Source } from './actors.js';

const link = { downTimeoutMs: 600, heartbeatIntervalMs: 100, reconnectBaseMs: 20, reconnectMaxMs: 200 };
let cluster: TestCluster | undefined;

afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('remote actors', () => {
  it('answers typed calls across nodes and carries refs inside messages', async () => {
    cluster = await createTestCluster({ nodes: ['1.1.1', '1.2.1'], nodeOptions: { link } });
    const a = cluster.node('1.1.1');
    const b = cluster.node('1.2.1');
    b.spawn(Counter, { name: 'counter', args: { start: 0 } });
    const r = a.ref<typeof Counter>('1.2.1', 'counter');
    expect(await r.call.add(2, { timeoutMs: 1000 })).toBe(2);
    r.cast.add(1);
    expect(await r.call.get()).toBe(3);
    const relay = a.spawn(Source, { name: 'relay' });
    expect(await relay.call.relay({ target: r.toJSON(), by: 4 })).toBe(7);
  });

  it('delivers 100,000 casts from one actor to a remote actor in send order', async () => {
    cluster = await createTestCluster({ nodes: ['1.1.1', '1.2.1'], nodeOptions: { link } });
    const sink = cluster.node('1.2.1').spawn(Sink, { name: 'sink' });
    const source = cluster.node('1.1.1').spawn(Source, { name: 'source' });
    const n = 100_000;
    // Links open lazily and hold at most `pendingLimit` frames until they are up: open this one first.
    await cluster.node('1.1.1').ref<typeof Sink>(sink.toJSON()).call.stats();
    await source.call.blast({ target: sink.toJSON(), n });
    const remoteSink = cluster.node('1.1.1').ref<typeof Sink>(sink.toJSON());
    await waitFor(async () => (await remoteSink.call.stats()).count === n, 15_000, 'all casts');
    expect(await remoteSink.call.stats()).toEqual({ count: n, outOfOrder: 0 });
  });

  it('rejects remote asks with named errors', async () => {
    cluster = await createTestCluster({ nodes: ['1.1.1', '1.2.1'], nodeOptions: { link } });
    cluster.node('1.2.1').spawn(Counter, { name: 'counter', args: { start: 0 } });
    const a = cluster.node('1.1.1');
    const r = a.ref<typeof Counter>('1.2.1', 'counter');
    await expect(r.call.slow(300, { timeoutMs: 30 })).rejects.toBeInstanceOf(TimeoutError);
    await expect(a.ref<typeof Counter>('1.2.1', 'ghost').call.get()).rejects.toBeInstanceOf(
      ActorNotFoundError,
    );
    await expect(r.ask('nope')).rejects.toBeInstanceOf(UnknownHandlerError);
    const err = await r.call.boom('remote failure').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ code: 'HANDLER_ERROR', message: 'remote failure' });
    expect(await r.call.get()).toBe(0);
  });

  it('rejects pending asks within the down timeout when the node is killed, and fires watches', async () => {
    cluster = await createTestCluster({ nodes: ['1.1.1', '1.2.1'], nodeOptions: { link } });
    const a = cluster.node('1.1.1');
    const r = cluster.node('1.2.1').spawn(Counter, { name: 'counter', args: { start: 0 } });
    const remote = a.ref<typeof Counter>(r.toJSON());
    await remote.call.get();
    const terminated = new Promise<string>((resolve) => a.watch(remote, (t) => resolve(t.reason)));
    const pending = remote.call.slow(60_000, { timeoutMs: 30_000 });
    const started = Date.now();
    await cluster.kill('1.2.1');
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeDownError);
    expect(Date.now() - started).toBeLessThan(link.downTimeoutMs * 4);
    expect(await terminated).toMatch(/node down/);
  });

  it('resumes traffic to a killed and restarted node in a 3-node cluster', async () => {
    cluster = await createTestCluster({ nodes: ['1.1.1', '1.2.1', '1.3.1'], nodeOptions: { link } });
    for (const addr of ['1.2.1', '1.3.1'])
      cluster.node(addr).spawn(Counter, { name: 'counter', args: { start: 0 } });
    const a = cluster.node('1.1.1');
    const b = a.ref<typeof Counter>('1.2.1', 'counter');
    const c = a.ref<typeof Counter>('1.3.1', 'counter');
    expect(await b.call.add(1)).toBe(1);
    expect(await c.call.add(1)).toBe(1);
    const bAddr = cluster.node('1.2.1').addr;
    const down = waitForEvent(a, 'memberDown', 5000, (m: { addr: number }) => m.addr === bAddr);
    await cluster.kill('1.2.1');
    await down;
    await expect(b.call.get(undefined, { timeoutMs: 500 })).rejects.toThrow();
    expect(await c.call.add(1)).toBe(2);
    const restarted = await cluster.restart('1.2.1');
    restarted.spawn(Counter, { name: 'counter', args: { start: 100 } });
    await waitFor(
      async () => (await b.call.get(undefined, { timeoutMs: 300 }).catch(() => -1)) === 100,
      5000,
      'restarted node answers',
    );
    expect(await b.call.add(1)).toBe(101);
    expect(await c.call.add(1)).toBe(3);
  });
});
