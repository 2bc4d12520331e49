// Pub/sub over real nodes: frames per publish, order, gaps, history, unsubscribe and peer loss.
import { Addr, encodeBody } from '@troupe/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { defineActor } from '../actor/define.js';
import type { ActorRef } from '../actor/ref.js';
import { type Extension, type ExtensionHost, ExtensionKinds } from '../node/extension.js';
import { coreOf } from '../node/node.js';
import { createTestCluster, type TestCluster } from '../testing/cluster.js';
import { waitFor } from '../testing/wait.js';
import { InvalidTopicError } from './errors.js';
import { type Publication, type PubSub, pubsub } from './pubsub.js';

const link = { downTimeoutMs: 800, heartbeatIntervalMs: 100, reconnectBaseMs: 20, reconnectMaxMs: 200 };
let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const Listener = defineActor({
  init: (got: Publication[]) => got,
  handlers: {
    publication(got, p: Publication) {
      got.push(p);
    },
    other(got, p: Publication) {
      got.push({ ...p, topic: `other:${p.topic}` });
    },
  },
});

/** A node-side helper that sends hand-made publication frames (lost, repeated or malformed ones). */
function forger(): Extension & { host?: ExtensionHost } {
  const ext: Extension & { host?: ExtensionHost } = {
    name: 'forger',
    start(host) {
      ext.host = host;
    },
  };
  return ext;
}

async function start(addrs: string[], options?: Parameters<typeof pubsub>[0], extra: Extension[] = []) {
  const ps = new Map<string, PubSub>();
  const perNode: Record<string, { extensions: Extension[] }> = {};
  for (const a of addrs) {
    const p = pubsub(options);
    ps.set(a, p);
    perNode[a] = { extensions: a === addrs[0] ? [p, ...extra] : [p] };
  }
  cluster = await createTestCluster({ nodes: addrs, nodeOptions: { link }, perNode });
  return ps;
}

function listen(addr: string, name: string): { got: Publication[]; ref: ActorRef } {
  const got: Publication[] = [];
  const ref = cluster!.node(addr).spawn(Listener, { name, args: got });
  return { got, ref };
}

describe('pub/sub', () => {
  it('sends one frame per subscribing node per publish and fans out locally, in order', async () => {
    // Long heartbeats so the publisher's frame count is the publications alone.
    const quiet = { downTimeoutMs: 30_000, heartbeatIntervalMs: 10_000 };
    const addrs = ['1.1.1', '1.2.1', '1.2.2', '1.2.3'];
    const ps = new Map(addrs.map((a) => [a, pubsub()]));
    cluster = await createTestCluster({
      nodes: addrs,
      nodeOptions: { link: quiet },
      perNode: Object.fromEntries(addrs.map((a) => [a, { extensions: [ps.get(a)!] }])),
    });
    const subs: Publication[][] = [];
    for (const a of addrs.slice(1)) {
      for (let i = 0; i < 5; i++) {
        const { got, ref } = listen(a, `room-${i}`);
        subs.push(got);
        await ps.get('1.1.1')!.subscribe('room', ref);
      }
    }
    const pub = ps.get('1.1.1')!;
    expect(pub.nodesFor('room')).toEqual(addrs.slice(1).map((a) => Addr.parse(a)));
    const transport = coreOf(cluster.node('1.1.1')).transport;
    const before = transport.stats().framesOut;
    const N = 200;
    for (let i = 1; i <= N; i++) expect(pub.publish('room', { n: i })).toBe(i);
    await waitFor(() => subs.every((g) => g.length === N), 5000, 'every subscriber has every publication');
    expect(transport.stats().framesOut - before).toBe(N * 3);
    for (const a of addrs.slice(1)) expect(ps.get(a)!.stats().framesIn).toBe(N);
    for (const got of subs) {
      expect(got.map((p) => (p.data as { n: number }).n)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
      expect(got.every((p, i) => p.seq === i + 1 && p.gap === 0 && p.topic === 'room')).toBe(true);
      expect(got[0]!.publisher).toBe(Addr.parse('1.1.1'));
      expect(got[0]!.epoch).toBe(cluster.node('1.1.1').incarnation);
    }
  });

  it('keeps per-publisher order with several publishers and delivers locally too', async () => {
    const addrs = ['1.1.1', '1.2.1', '1.2.2'];
    const ps = await start(addrs);
    const a = listen('1.1.1', 'a');
    const b = listen('1.2.1', 'b');
    await ps.get('1.2.2')!.subscribe('t', a.ref);
    await ps.get('1.2.2')!.subscribe('t', b.ref, { handler: 'other' });
    for (let i = 0; i < 300; i++) for (const p of addrs) ps.get(p)!.publish('t', `${p}:${i}`);
    await waitFor(() => a.got.length === 900 && b.got.length === 900, 5000, 'all publications');
    for (const got of [a.got, b.got]) {
      for (const p of addrs) {
        const mine = got.filter((x) => x.publisher === Addr.parse(p));
        expect(mine.map((x) => x.data)).toEqual(Array.from({ length: 300 }, (_, i) => `${p}:${i}`));
        expect(mine.map((x) => x.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      }
    }
    expect(b.got[0]!.topic).toBe('other:t');
  });

  it('tells a subscriber how many publications a publisher lost, and drops repeats and bad frames', async () => {
    const f = forger();
    const ps = await start(['1.1.1', '1.2.1'], undefined, [f]);
    const s = listen('1.2.1', 's');
    await ps.get('1.1.1')!.subscribe('g', s.ref);
    const host = f.host!;
    const to = Addr.parse('1.2.1');
    const send = (body: unknown) =>
      host.send(to, ExtensionKinds.PubSub, Uint8Array.prototype.slice.call(encodeBody(body)));
    send(['g', 'epoch-1', 1, 'one']);
    send(['g', 'epoch-1', 2, 'two']);
    send(['g', 'epoch-1', 5, 'five']);
    send(['g', 'epoch-1', 5, 'five again']);
    send(['g', 'epoch-1']);
    host.send(to, ExtensionKinds.PubSub, new Uint8Array([0xc1]));
    send(['g', 'epoch-2', 1, 'restarted']);
    await waitFor(() => s.got.length === 4, 5000, 'four publications');
    expect(s.got.map((p) => [p.data, p.gap])).toEqual([
      ['one', 0],
      ['two', 0],
      ['five', 2],
      ['restarted', 0],
    ]);
    const stats = ps.get('1.2.1')!.stats();
    expect(stats).toMatchObject({ gaps: 1, missed: 2, duplicates: 1, malformed: 2 });
  });

  it('stops delivering after unsubscribe and when the subscriber stops', async () => {
    const ps = await start(['1.1.1', '1.2.1']);
    const pub = ps.get('1.1.1')!;
    const x = listen('1.2.1', 'x');
    const y = listen('1.2.1', 'y');
    await pub.subscribe('t', x.ref);
    await pub.subscribe('t', y.ref);
    pub.publish('t', 1);
    await waitFor(() => x.got.length === 1 && y.got.length === 1, 5000, 'first publication');
    await pub.unsubscribe('t', x.ref);
    pub.publish('t', 2);
    await waitFor(() => y.got.length === 2, 5000, 'second publication');
    expect(x.got.length).toBe(1);
    cluster!.node('1.2.1').stopActor(y.ref);
    await waitFor(() => pub.nodesFor('t').length === 0, 5000, 'interest withdrawn');
    expect(ps.get('1.2.1')!.stats().subscriptions).toBe(0);
    await expect(pub.subscribe('t', { node: Addr.parse('1.2.1'), name: 'ghost' })).rejects.toThrow(/ghost/);
  });

  it('keeps bounded history for late subscribers, skipping what they already have', async () => {
    const ps = await start(['1.1.1', '1.2.1'], { historyCount: 10 });
    const pa = ps.get('1.1.1')!;
    const pb = ps.get('1.2.1')!;
    for (let i = 1; i <= 15; i++) pa.publish('h', i);
    pb.publish('h', 'b1');
    const all = await pb.history('h');
    const fromA = all.filter((p) => p.publisher === Addr.parse('1.1.1'));
    expect(fromA.map((p) => p.data)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(all.filter((p) => p.publisher === Addr.parse('1.2.1')).map((p) => p.data)).toEqual(['b1']);
    const epoch = cluster!.node('1.1.1').incarnation;
    const rest = await pb.history('h', { after: [{ publisher: Addr.parse('1.1.1'), epoch, seq: 13 }] });
    expect(rest.filter((p) => p.publisher === Addr.parse('1.1.1')).map((p) => p.seq)).toEqual([14, 15]);
  });

  it('forgets a dead node’s interest and learns a restarted node’s', async () => {
    const ps = await start(['1.1.1', '1.2.1']);
    const pub = ps.get('1.1.1')!;
    const s = listen('1.2.1', 's');
    await pub.subscribe('t', s.ref);
    expect(pub.nodesFor('t')).toEqual([Addr.parse('1.2.1')]);
    await cluster!.kill('1.2.1');
    await waitFor(() => pub.nodesFor('t').length === 0, 5000, 'interest dropped');
    await cluster!.restart('1.2.1');
    const again = listen('1.2.1', 's2');
    await ps.get('1.2.1')!.subscribe('t', again.ref);
    await waitFor(() => pub.nodesFor('t').length === 1, 5000, 'interest learned');
    pub.publish('t', 'back');
    await waitFor(() => again.got.length === 1, 5000, 'delivery after restart');
  });

  it('reaches exported subscribers in another group through harbors, in order', async () => {
    const addrs = ['1.255.1', '1.2.1', '2.255.1', '2.2.1'];
    const ps = new Map(addrs.map((a) => [a, pubsub()]));
    cluster = await createTestCluster({
      nodes: addrs,
      nodeOptions: { link, export: true },
      perNode: Object.fromEntries(addrs.map((a) => [a, { extensions: [ps.get(a)!] }])),
    });
    const far = listen('2.2.1', 'far');
    const pub = ps.get('1.2.1')!;
    await pub.subscribe('world', far.ref);
    await waitFor(() => pub.nodesFor('world').includes(Addr.parse('2.2.1')), 5000, 'interest across groups');
    for (let i = 1; i <= 50; i++) pub.publish('world', i);
    await waitFor(() => far.got.length === 50, 5000, 'publications through harbors');
    expect(far.got.map((p) => p.data)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(far.got.every((p) => p.publisher === Addr.parse('1.2.1') && p.gap === 0)).toBe(true);
  });

  it('refuses bad topics with a named error', async () => {
    const ps = await start(['1.1.1']);
    const pub = ps.get('1.1.1')!;
    expect(() => pub.publish('', 1)).toThrow(InvalidTopicError);
    expect(() => pub.publish('x'.repeat(300), 1)).toThrow(InvalidTopicError);
  });
});
