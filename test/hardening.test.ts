// Runtime hardening: an error keeps the actor's state, user listeners cannot wedge a node, stop drains,
// durations and names are checked where they enter, and a static config file says where a node listens.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ActorStoppedError,
  type DeferredReply,
  defineActor,
  InvalidActorNameError,
  Node,
  OptionError,
  RemoteError,
  ReplyError,
  StaticMembership,
} from '@troupe/runtime';
import { createTestCluster, freePort, type TestCluster } from '@troupe/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { Profiles } from '../packages/examples/src/services.js';

let cluster: TestCluster | undefined;
const nodes: Node[] = [];
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  for (const c of cleanups.splice(0)) await c();
});

async function start(extra: Partial<Parameters<typeof Node.start>[0]> = {}): Promise<Node> {
  const node = await Node.start({ addr: '1.1.1', secret: 's', ...extra });
  nodes.push(node);
  return node;
}

const Inventory = defineActor({
  init: () => ({ items: new Map<string, number>(), waiting: [] as DeferredReply<string>[] }),
  handlers: {
    add(state, item: string) {
      state.items.set(item, (state.items.get(item) ?? 0) + 1);
      return state.items.size;
    },
    take(state, item: string) {
      const n = state.items.get(item);
      if (n === undefined) throw new ReplyError('OUT_OF_STOCK', `no ${item}`, { item, left: 0 });
      state.items.set(item, n - 1);
      return n - 1;
    },
    size(state) {
      return state.items.size;
    },
    async slowly(state, ms: number) {
      await new Promise((r) => setTimeout(r, ms));
      return state.items.size;
    },
    never() {
      return new Promise<number>(() => {});
    },
    next(state, _: void, ctx) {
      const r = ctx.reply<string>();
      state.waiting.push(r);
      return r;
    },
  },
});

describe('an error does not erase state', () => {
  it("the demo's Profiles keeps its players after levelUp('nobody'), locally and remotely", async () => {
    cluster = await createTestCluster({ nodes: ['1.1.1', '1.2.1'] });
    const profiles = cluster.node('1.2.1').spawn(Profiles, { name: 'profiles' });
    await profiles.call.register({ id: 'p1', name: 'Ann' });
    await expect(profiles.call.levelUp('nobody')).rejects.toBeInstanceOf(RemoteError);
    const remote = cluster.node('1.1.1').ref<typeof Profiles>('1.2.1', 'profiles');
    await expect(remote.call.levelUp('nobody')).rejects.toBeInstanceOf(RemoteError);
    expect(await remote.call.get('p1')).toEqual({ name: 'Ann', level: 1 });
    expect(await remote.call.levelUp('p1')).toBe(2);
  });

  it('a ReplyError reaches a remote caller with its code, message and data', async () => {
    cluster = await createTestCluster({ nodes: ['1.1.1', '1.2.1'] });
    cluster.node('1.2.1').spawn(Inventory, { name: 'inv' });
    const inv = cluster.node('1.1.1').ref<typeof Inventory>('1.2.1', 'inv');
    await inv.call.add('sword');
    const err = (await inv.call.take('shield').catch((e: unknown) => e)) as RemoteError;
    expect(err).toBeInstanceOf(RemoteError);
    expect([err.code, err.message, err.data]).toEqual([
      'OUT_OF_STOCK',
      'no shield',
      { item: 'shield', left: 0 },
    ]);
    expect(await inv.call.size()).toBe(1);
  });

  it("the center's registry validates input and never loses the KV", async () => {
    cluster = await createTestCluster({ membership: 'center', nodes: ['1.1.1', '1.2.1'] });
    const b = cluster.node('1.2.1');
    await b.membership.kv.put('routes/chat', '3');
    await expect(b.membership.kv.put('', 'x')).rejects.toMatchObject({ code: 'KV_INVALID' });
    const registry = b.ref({ node: cluster.node('1.1.1').addr, name: 'troupe.registry' });
    // Past the client-side checks, straight at the registry.
    await expect(registry.ask('kvPut', { key: '', value: 'x' })).rejects.toMatchObject({
      code: 'KV_INVALID',
    });
    await expect(registry.ask('kvPut', null)).rejects.toMatchObject({ code: 'KV_INVALID' });
    await expect(registry.ask('register', { record: 'garbage' })).rejects.toBeInstanceOf(RemoteError);
    await expect(registry.ask('register', null)).rejects.toBeInstanceOf(RemoteError);
    // A registration from another group, whose client the center cannot reach yet (no harbor).
    const foreign = {
      record: { addr: 0x00201001, host: '127.0.0.1', port: 1, incarnation: 'x', meta: {} },
      client: { node: 0x00201001, name: 'troupe.membership' },
    };
    await registry.ask('register', foreign).catch(() => undefined);
    await registry.ask('deregister', { addr: 0x00201001, incarnation: 'x' });
    expect(await b.membership.kv.get('routes/chat')).toBe('3');
    expect(await cluster.node('1.1.1').membership.kv.list('')).toEqual([{ key: 'routes/chat', value: '3' }]);
  });
});

describe('user listeners never wedge a node', () => {
  it('a throwing deadLetter listener leaves every actor running', async () => {
    const node = await start();
    let thrown = 0;
    node.on('deadLetter', () => {
      thrown++;
      throw new Error('listener bug');
    });
    const inv = node.spawn(Inventory, { name: 'inv' });
    const other = node.spawn(Inventory, { name: 'other' });
    // An unknown handler dead-letters from inside the mailbox run; a tell to nobody from the caller.
    inv.tell('nope');
    node.ref('1.1.1', 'nobody').tell('x');
    await expect(inv.ask('nope')).rejects.toMatchObject({ code: 'UNKNOWN_HANDLER' });
    expect(await inv.call.add('a')).toBe(1);
    expect(await other.call.add('b')).toBe(1);
    expect(thrown).toBe(3);
  });
});

describe('stop drains', () => {
  it('lets running handlers finish, fails deferred replies with ActorStoppedError', async () => {
    const node = await start();
    const inv = node.spawn(Inventory, { name: 'inv' });
    await inv.call.add('a');
    const running = inv.call.slowly(50);
    const deferred = node
      .spawn(Inventory, { name: 'waiter' })
      .call.next()
      .catch((e: unknown) => e);
    await new Promise((r) => setImmediate(r));
    await node.stop();
    expect(await running).toBe(1);
    expect(await deferred).toBeInstanceOf(ActorStoppedError);
  });

  it('bounds the drain by stopDrainMs: a handler that never settles fails its ask', async () => {
    const node = await start({ stopDrainMs: 30 });
    const pending = node.spawn(Inventory, { name: 'inv' }).call.never();
    await new Promise((r) => setImmediate(r));
    await node.stop();
    await expect(pending).rejects.toBeInstanceOf(ActorStoppedError);
  });
});

describe('durations and names are checked where they enter', () => {
  it('refuses timeouts Node timers cannot hold, naming the property', async () => {
    const bad: Array<[Partial<Parameters<typeof Node.start>[0]>, RegExp]> = [
      [{ askTimeoutMs: 3e9 }, /askTimeoutMs/],
      [{ probeIntervalMs: Infinity }, /probeIntervalMs/],
      [{ stopDrainMs: 0 }, /stopDrainMs/],
      [{ link: { downTimeoutMs: Number.NaN } }, /link\.downTimeoutMs/],
    ];
    for (const [options, name] of bad) {
      const err = await start(options).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OptionError);
      expect((err as Error).message).toMatch(name);
    }
    const node = await start();
    const inv = node.spawn(Inventory, { name: 'inv' });
    await expect(inv.call.size(undefined, { timeoutMs: Infinity })).rejects.toThrow(/timeoutMs/);
    await expect(inv.with({ timeoutMs: 2 ** 31 }).call.size()).rejects.toBeInstanceOf(OptionError);
    expect(() => node.spawn(Inventory, { name: 'bad', supervision: { windowMs: -1 } })).toThrow(
      /supervision\.windowMs/,
    );
  });

  it('refuses at spawn a name the wire cannot carry; a long one that fits works remotely', async () => {
    cluster = await createTestCluster({ nodes: ['1.1.1', '1.2.1'] });
    const b = cluster.node('1.2.1');
    expect(() => b.spawn(Inventory, { name: '聊天室'.repeat(31) })).toThrow(InvalidActorNameError);
    expect(b.actorCount).toBe(0);
    const room = '聊'.repeat(85);
    b.spawn(Inventory, { name: room });
    expect(await cluster.node('1.1.1').ref<typeof Inventory>('1.2.1', room).call.add('x')).toBe(1);
  });
});

describe('static config file', () => {
  it('a node started from a config file listens where the file says it lives', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'troupe-static-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const [pa, pb] = [await freePort(), await freePort()];
    const file = join(dir, 'troupe.json');
    writeFileSync(
      file,
      JSON.stringify({
        members: [
          { addr: '1.1.1', host: '127.0.0.1', port: pa },
          { addr: '1.2.1', host: '127.0.0.1', port: pb },
        ],
      }),
    );
    const a = await start({ addr: '1.1.1', membership: StaticMembership.fromFile(file) });
    const b = await start({ addr: '1.2.1', membership: StaticMembership.fromFile(file) });
    expect([a.port, b.port]).toEqual([pa, pb]);
    b.spawn(Inventory, { name: 'inv' });
    expect(await a.ref<typeof Inventory>('1.2.1', 'inv').call.add('x')).toBe(1);
  });
});
