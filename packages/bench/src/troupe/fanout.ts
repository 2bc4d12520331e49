// Troupe's side of fanout: one actor casting to many actors spread over several nodes.
import type { Side, SideContext } from '../sides.js';
import { needsRuntime } from './not-ready.js';

/**
 * Opens the Troupe side of fanout: a cluster of `params.nodes` node processes, `params.actors` receiver actors
 * spread evenly over them, and one actor on the first node casting `makeBody(seq)` to each receiver in turn
 * (`TELL_BATCH` casts per turn). `measure(window)` returns deliveries per second summed over all receivers.
 */
export async function troupeFanout(
  _ctx: SideContext,
  _params: { actors: number; nodes: number },
): Promise<Side> {
  throw needsRuntime('fanout');
}
