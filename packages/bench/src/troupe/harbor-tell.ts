// Troupe's side of harbor-tell: one-way casts from one group to another through both groups' harbors.
import { meteredSide, type Side, type SideContext } from '../sides.js';
import { members, sinks, startNodes } from './cluster.js';

const SENDER = '1.2.1';
const HARBOR_1 = '1.255.1';
const HARBOR_2 = '2.255.1';
const RECEIVER = '2.2.1';

/**
 * Opens the Troupe side of harbor-tell: a sender node in group 1, a harbor (type 255) in each group and a
 * receiver node in group 2, each a worker process on one static member list; the same load as remote-tell
 * (`makeBody`, `TELL_BATCH` per turn, the same pacing). `measure(window)` returns messages received per second
 * at the receiver.
 */
export async function troupeHarborTell(ctx: SideContext): Promise<Side> {
  const cluster = await members(ctx, [SENDER, HARBOR_1, HARBOR_2, RECEIVER]);
  const [sink] = sinks(RECEIVER, 1);
  const [receiver, h2, h1, sender] = await startNodes(ctx, cluster, [
    { self: RECEIVER, sinks: 1 },
    { self: HARBOR_2 },
    { self: HARBOR_1 },
    { self: SENDER, tell: { targets: [sink!], probes: [sink!] } },
  ]);
  return meteredSide(sender!, receiver!, [sender!, h1!, h2!, receiver!]);
}
