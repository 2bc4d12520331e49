// Troupe's side of remote-tell: one-way casts between two node processes.
import type { Side, SideContext } from '../sides.js';
import { needsRuntime } from './not-ready.js';

/**
 * Opens the Troupe side of remote-tell: two nodes in two worker processes (`ctx.spawn`), an actor on the
 * first casting `makeBody(seq)` (workload.ts) to a sink actor on the second, `TELL_BATCH` casts per turn.
 * `measure(window)` returns messages received per second by the sink. `meteredSide(sender, receiver, workers)`
 * does the timing if the sender serves `start`/`stop` and the receiver serves `mark` from a `Meter`.
 * harbor-tell and fanout use this side as their baseline.
 */
export async function troupeRemoteTell(_ctx: SideContext): Promise<Side> {
  throw needsRuntime('remote-tell');
}
