// Entities over a real cluster with a center (its KV holds the ownership records).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Addr, type Node } from '@troupe/runtime';
import { createTestCluster, type TestCluster, waitFor } from '@troupe/runtime/testing';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { type Entities, entities } from './entities.js';
import { defineEntity } from './kind.js';
import { ownerKey } from './ownership.js';
import { DEFAULT_SHARDS, shardOf } from './shards.js';
import { type EntityStorage, FileStorage, MemoryStorage } from './storage.js';

const link = { downTimeoutMs: 600, heartbeatIntervalMs: 100, reconnectBaseMs: 20, reconnectMaxMs: 200 };
let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const HOST_TYPE = 3;
const activations: string[] = [];
const Counter = defineEntity({
  name: 'counter',
  type: HOST_TYPE,
  persist: true,
  init: (id: string, saved: { n: number } | undefined) => {
    activations.push(id);
    return { id, n: saved?.n ?? 0 };
  },
  handlers: {
    add(state, by: number) {
      state.n += by;
      return state.n;
    },
    get(state) {
      return state.n;
    },
  },
});

async function start(
  hosts: string[],
  options: { idleMs?: number; storage?: EntityStorage; unknownOwnerMs?: number } = {},
): Promise<{ ents: Map<string, Entities>; storage: EntityStorage }> {
  const storage = options.storage ?? new MemoryStorage();
  const nodes = ['1.100.1', '1.1.1', ...hosts];
  const ents = new Map(
    nodes.map((a) => [
      a,
      entities({
        kinds: [Counter],
        storage,
        idleMs: options.idleMs ?? 0,
        retryMs: 10,
        ...(options.unknownOwnerMs === undefined ? {} : { unknownOwnerMs: options.unknownOwnerMs }),
      }),
    ]),
  );
  cluster = await createTestCluster({
    nodes,
    membership: 'center',
    center: '1.100.1',
    leaseMs: 2000,
    nodeOptions: { link },
    perNode: Object.fromEntries(nodes.map((a) => [a, { extensions: [ents.get(a)!] }])),
  });
  return { ents, storage };
}

/** The ownership record key of the shard entity `id` of the counter kind belongs to. */
function shardKey(id: string): string {
  return ownerKey('counter', String(shardOf(id, DEFAULT_SHARDS)));
}

function activeOn(ents: Map<string, Entities>, id: string): string[] {
  return [...ents.entries()].filter(([a, e]) => isRunning(a) && e.isActive(Counter, id)).map(([a]) => a);
}

function isRunning(addr: string): boolean {
  return cluster!.nodes().some((n: Node) => n.addr === Addr.parse(addr));
}

describe('entities', () => {
  it('activates on the first message, on the member placement names, with typed refs', async () => {
    const { ents } = await start(['1.3.1', '1.3.2', '1.3.3']);
    const caller = ents.get('1.1.1')!;
    const ref = caller.entity(Counter, 'c-1');
    expectTypeOf(ref.call.add).parameters.toEqualTypeOf<
      [by: number, options?: { timeoutMs?: number; signal?: AbortSignal }]
    >();
    expect(await ref.call.add(2)).toBe(2);
    expect(await ref.call.add(3)).toBe(5);
    const owner = Addr.format(caller.ownerOf(Counter, 'c-1')!);
    expect(activeOn(ents, 'c-1')).toEqual([owner]);
    // The ownership record names the owner, at epoch 1.
    const record = JSON.parse((await cluster!.node('1.1.1').kv.get(shardKey('c-1')))!);
    expect(record).toMatchObject({ node: Addr.parse(owner), epoch: 1, released: false });
    // Every node agrees where it lives, so a call from the owner itself works the same.
    expect(await ents.get(owner)!.entity(Counter, 'c-1').call.get()).toBe(5);
  });

  it('claims a shard once: further entities of it activate with no claim of their own', async () => {
    const { ents } = await start(['1.3.1']);
    const caller = ents.get('1.1.1')!;
    const shard = shardOf('s-0', DEFAULT_SHARDS);
    const ids = ['s-0'];
    for (let i = 1; ids.length < 4; i++) if (shardOf(`s-${i}`, DEFAULT_SHARDS) === shard) ids.push(`s-${i}`);
    for (const id of ids) expect(await caller.entity(Counter, id).call.add(1)).toBe(1);
    const host = ents.get('1.3.1')!;
    expect(host.stats()).toMatchObject({ activations: 4, owned: 1 });
    const keys = (await cluster!.node('1.1.1').kv.list('troupe/entities/counter/')).map((e) => e.key);
    expect(keys.sort()).toEqual([
      `troupe/entities/counter/${shard}/claim/000000000001/${Addr.parse('1.3.1')}-${cluster!.node('1.3.1').incarnation}`,
      shardKey('s-0'),
    ]);
  });

  it('waits unknownOwnerMs before taking a shard whose record names a node its view never held', async () => {
    // The record's node may have joined a moment ago, unseen yet: taking it for dead at once could
    // activate the shard's entities twice. One no view ever holds is taken for gone after the wait.
    const { ents } = await start(['1.3.1'], { unknownOwnerMs: 300 });
    const ghost = { node: Addr.parse('1.3.9'), incarnation: 'ghost', epoch: 5, released: false };
    await cluster!.node('1.1.1').kv.put(shardKey('u-1'), JSON.stringify(ghost));
    const started = Date.now();
    expect(await ents.get('1.1.1')!.entity(Counter, 'u-1').call.add(1)).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    // The record is published in the background of the activation.
    const published = async () => JSON.parse((await cluster!.node('1.1.1').kv.get(shardKey('u-1')))!);
    await waitFor(async () => (await published()).epoch === 6, 2000, 'the next epoch published');
    expect(await published()).toMatchObject({ node: Addr.parse('1.3.1'), epoch: 6, released: false });
  });

  it('passivates idle entities, saving their state, and reactivates them with it', async () => {
    const { ents, storage } = await start(['1.3.1', '1.3.2'], { idleMs: 100 });
    const ref = ents.get('1.1.1')!.entity(Counter, 'idle');
    await ref.call.add(7);
    const owner = Addr.format(ents.get('1.1.1')!.ownerOf(Counter, 'idle')!);
    await waitFor(() => !ents.get(owner)!.isActive(Counter, 'idle'), 5000, 'passivation');
    expect((await storage.load('counter', 'idle'))?.state).toMatchObject({ n: 7 });
    expect(await ref.call.add(1)).toBe(8);
    expect(ents.get(owner)!.stats()).toMatchObject({ activations: 2, passivations: 1, handoffs: 0 });
  });

  it('hands entities off to a joining member: buffered, in order, never active twice', async () => {
    const { ents } = await start(['1.3.1', '1.3.2', '1.3.3']);
    await cluster!.stop('1.3.3');
    const caller = ents.get('1.1.1')!;
    await waitFor(
      () => caller.ownerOf(Counter, 'x') !== undefined && cluster!.node('1.1.1').members().length === 4,
      5000,
      'view without 1.3.3',
    );
    const ids = Array.from({ length: 40 }, (_, i) => `h-${i}`);
    for (const id of ids) await caller.entity(Counter, id).call.add(1);
    await cluster!.restart('1.3.3');
    const moved = () => ids.filter((id) => Addr.format(caller.ownerOf(Counter, id)!) === '1.3.3');
    await waitFor(() => moved().length > 0, 5000, 'placement moving entities to 1.3.3');
    // Calls keep flowing during the handoff; each entity's count stays continuous.
    const results = await Promise.all(
      ids.map(async (id) => {
        const ref = caller.entity(Counter, id);
        const a = ref.call.add(10);
        const b = ref.call.add(100);
        return [await a, await b];
      }),
    );
    for (const [a, b] of results) expect([a, b]).toEqual([11, 111]);
    for (const id of moved()) expect(activeOn(ents, id)).toEqual(['1.3.3']);
    for (const id of ids) expect(activeOn(ents, id).length).toBe(1);
  });

  it('reactivates a dead owner’s entities elsewhere from their saved state', async () => {
    const { ents, storage } = await start(['1.3.1', '1.3.2']);
    const caller = ents.get('1.1.1')!;
    const ref = caller.entity(Counter, 'k');
    await ref.call.add(4);
    await caller.saveNow(Counter, 'k');
    expect((await storage.load('counter', 'k'))?.state).toMatchObject({ n: 4 });
    const owner = Addr.format(caller.ownerOf(Counter, 'k')!);
    await cluster!.kill(owner);
    // Every member must see the owner gone before calls are sure to avoid it (asks to it fail meanwhile).
    const live = ['1.1.1', '1.3.1', '1.3.2'].filter((a) => a !== owner);
    await waitFor(
      () => live.every((a) => ents.get(a)!.ownerOf(Counter, 'k') !== Addr.parse(owner)),
      5000,
      'placement moving',
    );
    expect(await ref.call.add(1)).toBe(5);
    const record = JSON.parse((await cluster!.node('1.1.1').kv.get(shardKey('k')))!);
    expect(record.epoch).toBe(2);
  });

  it('hands a persistent entity over on a graceful leave, its state kept in files', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'troupe-entities-'));
    try {
      const { ents, storage } = await start(['1.3.1', '1.3.2'], { storage: new FileStorage(dir) });
      const caller = ents.get('1.1.1')!;
      const ref = caller.entity(Counter, 'filed');
      expect(await ref.call.add(3)).toBe(3);
      const owner = Addr.format(caller.ownerOf(Counter, 'filed')!);
      await cluster!.stop(owner);
      expect((await storage.load('counter', 'filed'))?.state).toMatchObject({ n: 3 });
      const live = ['1.1.1', '1.3.1', '1.3.2'].filter((a) => a !== owner);
      await waitFor(
        () => live.every((a) => ents.get(a)!.ownerOf(Counter, 'filed') !== Addr.parse(owner)),
        5000,
        'placement moving',
      );
      expect(await ref.call.add(1)).toBe(4);
      // The stop released the record, so the next owner took over without waiting, at the next epoch.
      const record = JSON.parse((await cluster!.node('1.1.1').kv.get(shardKey('filed')))!);
      expect(record).toMatchObject({ epoch: 2, released: false });
    } finally {
      await cluster?.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fences an activation when a newer epoch is published elsewhere', async () => {
    const { ents } = await start(['1.3.1']);
    const caller = ents.get('1.1.1')!;
    await caller.entity(Counter, 'f').call.add(1);
    const host = ents.get('1.3.1')!;
    expect(host.isActive(Counter, 'f')).toBe(true);
    await cluster!
      .node('1.1.1')
      .kv.put(
        shardKey('f'),
        JSON.stringify({ node: Addr.parse('1.3.9'), incarnation: 'other', epoch: 5, released: false }),
      );
    await waitFor(() => !host.isActive(Counter, 'f'), 5000, 'fencing');
    expect(host.stats().fenced).toBe(1);
  });
});
