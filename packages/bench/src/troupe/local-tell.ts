// Troupe's side of local-tell: two actors on one node casting to each other.
import type { Side, SideContext } from '../sides.js';
import { needsRuntime } from './not-ready.js';

/**
 * Opens the Troupe side of local-tell. To match the bare-mailbox baseline, `measure(window)` must return
 * messages delivered per second (both directions) of a ping-pong by `cast` between two actors on one node,
 * one message in flight, counted over `window.durationMs` after `window.warmupMs`. Run it in a worker
 * (`selfTimedSide(await ctx.spawn(script), command)`, the worker using `servePeer` and `timedRun`).
 */
export async function troupeLocalTell(_ctx: SideContext): Promise<Side> {
  throw needsRuntime('local-tell');
}
