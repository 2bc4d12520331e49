// Waiting until every pair of started nodes has a working link: one round trip to each peer's system actor.
import { NODE_ACTOR, type Node } from '@troupe/runtime';
import type { ServiceContext } from './roles.js';

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

/**
 * Resolves once every login service started here has a load report from every gateway started here,
 * so the first login can be placed (reports come every few hundred ms); rejects past `timeoutMs`.
 */
export async function waitPlaceable(
  contexts: readonly ServiceContext[],
  timeoutMs = DEFAULT_LINK_WAIT_MS,
): Promise<void> {
  const gateways = contexts.filter((c) => c.gateway !== undefined).length;
  const logins = contexts.flatMap((c) => (c.login ? [c.login] : []));
  if (gateways === 0 || logins.length === 0) return;
  const deadline = Date.now() + timeoutMs;
  while (logins.some((l) => Object.keys(l.loads()).length < gateways)) {
    if (Date.now() > deadline)
      throw new Error(`login services did not hear from all ${gateways} gateways within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
