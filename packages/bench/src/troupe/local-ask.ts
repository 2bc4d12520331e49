// Troupe's side of local-ask: ask round trips between two actors on one node.
import { type Side, type SideContext, selfTimedSide } from '../sides.js';

const WORKER = new URL('./local.worker.ts', import.meta.url);

/**
 * Opens the Troupe side of local-ask for `params.inFlight` outstanding asks (1 and 1000). To match the
 * bare-promise baseline, `measure(window)` returns completed `call`s per second: `inFlight` loops, each
 * awaiting one `ref.call.echo(n)` at a time against an actor on the same node, in a worker of its own.
 */
export async function troupeLocalAsk(ctx: SideContext, params: { inFlight: number }): Promise<Side> {
  return selfTimedSide(await ctx.spawn(WORKER), 'ask', params);
}
