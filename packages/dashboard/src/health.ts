// `/ready` and `/alive` (Akka Management's names): what a load balancer and a supervisor ask a node.
import { Addr, type Node } from '@troupe/runtime';

/** A health answer: HTTP status and a small JSON body. */
export interface Health {
  status: 200 | 503;
  body: { status: string; node: string; reason?: string };
}

/** A stopped node has stopped its system actors (`troupe.node` first of all). */
function stopped(node: Node): boolean {
  return node.stats({ top: 0 }).actors.system === 0;
}

/** Alive: the node runs (its actors answer); a stopped node is not alive. */
export function alive(node: Node): Health {
  const addr = Addr.format(node.addr);
  if (stopped(node)) return { status: 503, body: { status: 'down', node: addr, reason: 'node stopped' } };
  return { status: 200, body: { status: 'alive', node: addr } };
}

/**
 * Ready: alive, registered (the node sees itself among the members) and available (not draining), so
 * traffic sent to it is served.
 */
export function ready(node: Node): Health {
  const life = alive(node);
  if (life.status !== 200) return life;
  const addr = life.body.node;
  if (!node.members().some((m) => m.addr === node.addr))
    return { status: 503, body: { status: 'not ready', node: addr, reason: 'not a member yet' } };
  if (!node.selfView().available)
    return { status: 503, body: { status: 'not ready', node: addr, reason: 'draining' } };
  return { status: 200, body: { status: 'ready', node: addr } };
}
