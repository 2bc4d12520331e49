// Troupe's side of pubsub-fanout: one publisher, subscribers spread over several nodes.
import type { WorkerHandle } from '../harness.js';
import { meteredSide, type Side, type SideContext } from '../sides.js';
import { members } from './cluster.js';
import type { PubSubWorkerOptions } from './pubsub.worker.js';

const WORKER = new URL('./pubsub.worker.ts', import.meta.url);

/**
 * Opens the pub/sub side: `params.nodes` node processes with `params.actors` subscribers of one topic spread
 * evenly over them; the first node publishes, a window of deliveries ahead of the receivers at most.
 * `measure(window)` returns deliveries per second summed over every node's subscribers, as fanout counts casts.
 */
export async function troupePubSubFanout(
  ctx: SideContext,
  params: { actors: number; nodes: number },
): Promise<Side> {
  const addrs = Array.from({ length: params.nodes }, (_, i) => `1.2.${i + 1}`);
  const cluster = await members(ctx, addrs);
  const perNode = addrs.map((_, n) => Math.ceil((params.actors - n) / params.nodes));
  const workers: WorkerHandle[] = [];
  try {
    for (let i = 1; i < addrs.length; i++) {
      const options: PubSubWorkerOptions = { self: addrs[i]!, members: cluster, subscribers: perNode[i]! };
      workers.push(await ctx.spawn(WORKER, { options }));
    }
    const publisher: PubSubWorkerOptions = {
      self: addrs[0]!,
      members: cluster,
      subscribers: perNode[0]!,
      publish: { probes: addrs.slice(1).map((node) => ({ node, name: 'sub-0' })), total: params.actors },
    };
    workers.push(await ctx.spawn(WORKER, { options: publisher }));
  } catch (err) {
    for (const w of workers) w.kill();
    throw err;
  }
  return meteredSide(workers[workers.length - 1]!, workers, workers);
}
