// Troupe's side of remote-ask-1 and remote-ask-100: request/response between two node processes.
import { meteredSide, type Side, type SideContext } from '../sides.js';
import { members, startNodes } from './cluster.js';

const CALLER = '1.1.1';
const ECHO = '1.2.1';

/**
 * Opens the Troupe side of remote-ask-<inFlight>: two nodes in two worker processes, `params.inFlight` loops
 * on the caller each awaiting one `ref.call.echo(makeBody(seq))` at a time from an echo actor on the other.
 * `measure(window)` returns completed calls per second with `p50Us`/`p99Us` latencies, metered per call on
 * the caller as the raw-TCP and Moleculer callers do.
 */
export async function troupeRemoteAsk(ctx: SideContext, params: { inFlight: number }): Promise<Side> {
  const cluster = await members(ctx, [CALLER, ECHO]);
  const [echo, caller] = await startNodes(ctx, cluster, [
    { self: ECHO, echo: true },
    { self: CALLER, ask: { target: { node: ECHO, name: 'echo' }, inFlight: params.inFlight } },
  ]);
  return meteredSide(caller!, caller!, [caller!, echo!]);
}
