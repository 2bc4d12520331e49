// Waits until every node of a test cluster sees the others, or throws naming who misses whom.
import { Addr, TroupeError } from '@troupe/transport';
import type { Node } from '../node/node.js';

/** A test cluster's nodes did not all see each other in time. */
export class ClusterConvergenceError extends TroupeError {
  constructor(message: string) {
    super('NOT_CONVERGED', message);
    this.name = 'ClusterConvergenceError';
  }
}

/** For each node, the members it should see (by the visibility rules) and does not. */
function missing(nodes: readonly Node[]): Map<Node, number[]> {
  const out = new Map<Node, number[]>();
  for (const node of nodes) {
    const seen = new Set(node.members().map((m) => m.addr as number));
    const absent = nodes
      .filter((o) => node.table.visible(o.selfView()) && !seen.has(o.addr))
      .map((o) => o.addr as number);
    if (absent.length > 0) out.set(node, absent);
  }
  return out;
}

/**
 * Resolves once every node sees every other node it may see; re-checks on each `memberUp`. Past
 * `timeoutMs` it runs `cleanup` (stopping what was started) and throws `ClusterConvergenceError`
 * naming, per node, the members it is missing.
 */
export async function converge(
  nodes: readonly Node[],
  timeoutMs: number,
  cleanup: () => Promise<unknown>,
): Promise<void> {
  if (missing(nodes).size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  let check: (() => void) | undefined;
  const done = await new Promise<boolean>((resolve) => {
    check = () => {
      if (missing(nodes).size === 0) resolve(true);
    };
    for (const n of nodes) n.on('memberUp', check);
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  clearTimeout(timer);
  for (const n of nodes) if (check) n.off('memberUp', check);
  if (done) return;
  const report = [...missing(nodes)]
    .map(
      ([n, absent]) =>
        `${Addr.format(n.addr)} does not see ${absent.map((a) => Addr.format(a as Addr)).join(', ')}`,
    )
    .join('; ');
  await cleanup();
  throw new ClusterConvergenceError(`test cluster did not converge within ${timeoutMs} ms: ${report}`);
}
