// Troupe's side of harbor-tell: one-way casts from one group to another through both groups' harbors.
import type { Side, SideContext } from '../sides.js';
import { needsRuntime } from './not-ready.js';

/**
 * Opens the Troupe side of harbor-tell: a sender node in group 1, a harbor (type 255) in each group and a
 * receiver node in group 2, each a worker process; the same load as remote-tell (`makeBody`, `TELL_BATCH`
 * per turn). `measure(window)` returns messages received per second at the receiver.
 */
export async function troupeHarborTell(_ctx: SideContext): Promise<Side> {
  throw needsRuntime('harbor-tell');
}
