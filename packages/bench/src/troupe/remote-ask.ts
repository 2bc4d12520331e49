// Troupe's side of remote-ask-1 and remote-ask-100: request/response between two node processes.
import type { Side, SideContext } from '../sides.js';
import { needsRuntime } from './not-ready.js';

/**
 * Opens the Troupe side of remote-ask-<inFlight>: two nodes in two worker processes, `params.inFlight` loops
 * on the caller each awaiting one `ref.call.echo(makeBody(seq))` at a time. `measure(window)` returns
 * completed calls per second with `p50Us`/`p99Us` latencies: `meteredSide(caller, caller, workers)` with the
 * caller's `Meter.hit(latencyMs)` per call, as the raw-TCP and Moleculer callers do.
 */
export async function troupeRemoteAsk(_ctx: SideContext, params: { inFlight: number }): Promise<Side> {
  throw needsRuntime(`remote-ask-${params.inFlight}`);
}
