// Worker for entity-activate: a center, an entity host with an echo, or a caller timing first calls to
// inactive entities against asks to a live actor; or, alone in a fresh process, heap bytes per idle entity.
import { defineEntity, entities } from '@troupe/entities';
import { Addr, centerMembership, Node } from '@troupe/runtime';
import { percentile } from '../harness.js';
import { type Peer, servePeer } from '../peer.js';
import type { Sample } from '../sides.js';
import { makeBody } from '../workload.js';
import { Echo } from './actors.js';

export type EntityWorkerOptions =
  | { role: 'center' | 'host' | 'caller'; center: { addr: string; port: number }; port: number }
  | { role: 'memory' };

export const HOST = '1.3.1';
const CALLER = '1.1.1';
const SECRET = 'troupe-bench';

/** A small virtual actor: a counter, the shape of a player or a room with little state. */
const Counter = defineEntity({
  name: 'counter',
  type: Addr.type(Addr.parse(HOST)),
  idleMs: 0,
  init: (id: string) => ({ id, n: 0 }),
  handlers: {
    echo(state, body: unknown) {
      state.n++;
      return body;
    },
  },
});

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('entity memory needs node --expose-gc');
  gc();
  gc();
}

/** Heap bytes per idle active entity, `count` of them activated on a lone node (its own KV). */
async function entityBytes(count: number): Promise<number> {
  const ents = entities({ kinds: [Counter], idleMs: 0 });
  const node = await Node.start({ addr: HOST, secret: SECRET, extensions: [ents] });
  // One activation first, so code paths and caches are warm before the baseline is read.
  await ents.entity(Counter, 'warm').call.echo(0);
  collect();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < count; i += 1000)
    await Promise.all(
      Array.from({ length: Math.min(1000, count - i) }, (_, k) =>
        ents.entity(Counter, `e-${i + k}`).call.echo(0),
      ),
    );
  collect();
  const after = process.memoryUsage().heapUsed;
  if (ents.stats().active !== count + 1)
    throw new Error(`${ents.stats().active} entities active, not ${count + 1}`);
  await node.stop();
  return (after - before) / count;
}

/** Sequential calls for `durationMs` after `warmupMs`; returns calls/s and their p50/p99 latency. */
async function timed(
  call: (i: number) => Promise<unknown>,
  warmupMs: number,
  durationMs: number,
): Promise<Sample> {
  let i = 0;
  const warmEnd = performance.now() + warmupMs;
  while (performance.now() < warmEnd) await call(i++);
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + durationMs;
  while (performance.now() < end) {
    const t0 = performance.now();
    await call(i++);
    latencies.push(performance.now() - t0);
  }
  const sorted = Float64Array.from(latencies).sort();
  return {
    value: latencies.length / ((performance.now() - start) / 1000),
    p50Us: percentile(sorted, 50) * 1000,
    p99Us: percentile(sorted, 99) * 1000,
  };
}

servePeer<EntityWorkerOptions>(async (o): Promise<Peer> => {
  if (o.role === 'memory')
    return {
      commands: { memory: async (arg: { entities: number }) => ({ value: await entityBytes(arg.entities) }) },
    };
  const self = o.role === 'center' ? o.center.addr : o.role === 'host' ? HOST : CALLER;
  const ents = entities({ kinds: [Counter], idleMs: 0 });
  const node = await Node.start({
    addr: self,
    secret: SECRET,
    listen: { port: o.port },
    membership: centerMembership({
      center: { addr: o.center.addr, host: '127.0.0.1', port: o.center.port },
      ...(o.role === 'center' ? { serve: true } : {}),
    }),
    extensions: [ents],
  });
  if (o.role === 'host') node.spawn(Echo, { name: 'echo' });
  if (o.role !== 'caller') return { commands: {} };
  const deadline = Date.now() + 20_000;
  while (ents.ownerOf(Counter, 'x') === undefined) {
    if (Date.now() > deadline) throw new Error('the entity host never joined');
    await new Promise((r) => setTimeout(r, 20));
  }
  const echo = node.ref<typeof Echo>({ node: Addr.parse(HOST), name: 'echo' });
  let fresh = 0;
  return {
    commands: {
      /** Each call goes to an entity never called before: activation (ownership claim included) and the call. */
      first: (w: { warmupMs: number; durationMs: number }) =>
        timed(
          () => ents.entity(Counter, `first-${fresh++}`).call.echo(makeBody(fresh)),
          w.warmupMs,
          w.durationMs,
        ),
      /** Each call is a remote ask to a live actor on the same host. */
      ask: (w: { warmupMs: number; durationMs: number }) =>
        timed((i) => echo.call.echo(makeBody(i)), w.warmupMs, w.durationMs),
    },
  };
});
