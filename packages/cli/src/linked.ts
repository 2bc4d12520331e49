// Waiting until every pair of started nodes has a working link: one round trip to each peer's system actor.
import { NODE_ACTOR, type Node } from '@troupe/runtime';

/** Default bound on `waitLinked`. */
export const DEFAULT_LINK_WAIT_MS = 10_000;

/**
 * Resolves once each node has answered an ask from each other node (which dials the link and proves it
 * authenticates both ways); rejects with the first failure once `timeoutMs` has passed for a pair.
 */
export async function waitLinked(nodes: readonly Node[], timeoutMs = DEFAULT_LINK_WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pairs: Promise<void>[] = [];
  for (const from of nodes)
    for (const to of nodes) if (from !== to) pairs.push(roundTrip(from, to, deadline));
  await Promise.all(pairs);
}

async function roundTrip(from: Node, to: Node, deadline: number): Promise<void> {
  const ref = from.ref(to.addr, NODE_ACTOR);
  for (;;) {
    const left = deadline - Date.now();
    try {
      await ref.ask('types', undefined, { timeoutMs: Math.max(1, left) });
      return;
    } catch (err) {
      // A peer still starting refuses the first dial; try again until the deadline.
      if (Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
