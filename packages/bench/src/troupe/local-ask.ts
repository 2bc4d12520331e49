// Troupe's side of local-ask: ask round trips between two actors on one node.
import type { Side, SideContext } from '../sides.js';
import { needsRuntime } from './not-ready.js';

/**
 * Opens the Troupe side of local-ask for `params.inFlight` outstanding asks (1 and 1000). To match the
 * bare-promise baseline, `measure(window)` returns completed `call`s per second: `inFlight` loops, each
 * awaiting one `ref.call.echo(n)` at a time against an actor on the same node, in a worker process
 * (`selfTimedSide`).
 */
export async function troupeLocalAsk(_ctx: SideContext, _params: { inFlight: number }): Promise<Side> {
  throw needsRuntime('local-ask');
}
