// Troupe's side of local-tell: two actors on one node casting to each other.
import { type Side, type SideContext, selfTimedSide } from '../sides.js';

const WORKER = new URL('./local.worker.ts', import.meta.url);

/**
 * Opens the Troupe side of local-tell. To match the bare-mailbox baseline, `measure(window)` returns messages
 * delivered per second (both directions) of a ping-pong by `cast` between two actors on one node, one message
 * in flight, the clock read every 1024 deliveries, in a worker of its own.
 */
export async function troupeLocalTell(ctx: SideContext): Promise<Side> {
  return selfTimedSide(await ctx.spawn(WORKER), 'tell');
}
