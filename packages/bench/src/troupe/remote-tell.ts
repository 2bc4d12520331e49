// Troupe's side of remote-tell: one-way casts between two node processes.
import { meteredSide, type Side, type SideContext } from '../sides.js';
import { members, sinks, startNodes } from './cluster.js';

const SENDER = '1.1.1';
const RECEIVER = '1.2.1';

/**
 * Opens the Troupe side of remote-tell: two nodes in two worker processes, a sender actor on the first casting
 * `makeBody(seq)` (workload.ts) to a sink actor on the second, `TELL_BATCH` casts per turn, paced by a window
 * of unconfirmed casts (pump.ts). `measure(window)` returns messages received per second by the sink.
 * harbor-tell and fanout use this side as their baseline.
 */
export async function troupeRemoteTell(ctx: SideContext): Promise<Side> {
  const cluster = await members(ctx, [SENDER, RECEIVER]);
  const [sink] = sinks(RECEIVER, 1);
  const [receiver, sender] = await startNodes(ctx, cluster, [
    { self: RECEIVER, sinks: 1 },
    { self: SENDER, tell: { targets: [sink!], probes: [sink!] } },
  ]);
  return meteredSide(sender!, receiver!, [sender!, receiver!]);
}
