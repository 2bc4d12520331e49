// Troupe's side of fanout: one actor casting to many actors spread over several nodes.
import { meteredSide, type Side, type SideContext } from '../sides.js';
import { members, startNodes, type Target } from './cluster.js';

/**
 * Opens the Troupe side of fanout: a cluster of `params.nodes` node processes, `params.actors` sink actors
 * spread evenly over them (the first node holds the sender and its share of sinks, reached without the wire),
 * and one sender actor casting `makeBody(seq)` to each sink in turn, `TELL_BATCH` casts per turn, paced by a
 * window of casts unconfirmed by one sink per remote node. Consecutive casts go to different nodes.
 * `measure(window)` returns deliveries per second summed over every node's sinks.
 */
export async function troupeFanout(
  ctx: SideContext,
  params: { actors: number; nodes: number },
): Promise<Side> {
  const addrs = Array.from({ length: params.nodes }, (_, i) => `1.2.${i + 1}`);
  const cluster = await members(ctx, addrs);
  const perNode = addrs.map((_, n) => Math.ceil((params.actors - n) / params.nodes));
  const targets: Target[] = Array.from({ length: params.actors }, (_, k) => ({
    node: addrs[k % params.nodes]!,
    name: `sink-${Math.floor(k / params.nodes)}`,
  }));
  const probes = addrs.slice(1).map((node) => ({ node, name: 'sink-0' }));
  const workers = await startNodes(ctx, cluster, [
    ...addrs.slice(1).map((self, i) => ({ self, sinks: perNode[i + 1]! })),
    { self: addrs[0]!, sinks: perNode[0]!, tell: { targets, probes } },
  ]);
  return meteredSide(workers[workers.length - 1]!, workers, workers);
}
