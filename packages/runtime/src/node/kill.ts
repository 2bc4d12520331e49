// Abrupt stop for tests and fault injection: sockets destroyed, no goodbye, no deregistration.
import { coreOf, type Node } from './node.js';

/** Kills `node` as a crash would: peers see its links drop, membership is not told. */
export function killNode(node: Node): Promise<void> {
  return coreOf(node).stop(true);
}
