// Path selection: direct inside a group and between harbors; through harbors between groups.
import { Addr } from '@troupe/transport';
import { UnreachableError } from '../errors.js';
import { rendezvous } from '../membership/pick.js';
import type { MemberTable } from '../membership/table.js';

/**
 * The next hop from `self` toward `to`. All traffic between two nodes, both ways, takes the same
 * harbors while they are up (rendezvous hashing over the pair), so per-pair order holds across the
 * harbor path and a harbor's death fails every ask that depended on it.
 */
function pairKey(from: number, to: number): string {
  return from < to ? `${from}|${to}` : `${to}|${from}`;
}

/**
 * The harbor of the target's group that traffic between `from` and `to` crosses, as the sender's view
 * predicts it (every node sees every harbor); undefined inside a group.
 */
export function farHarbor(self: Addr, table: MemberTable, from: number, to: number): number | undefined {
  const toGroup = Addr.group(to as Addr);
  if (toGroup === Addr.group(self) || Addr.isHarbor(to as Addr)) return undefined;
  return rendezvous(pairKey(from, to), table.harbors(toGroup))?.addr;
}

export function nextHop(self: Addr, table: MemberTable, from: number, to: number): number {
  const toGroup = Addr.group(to as Addr);
  const ownGroup = Addr.group(self);
  if (toGroup === ownGroup) return to;
  const selfIsHarbor = Addr.isHarbor(self);
  if (selfIsHarbor && Addr.isHarbor(to as Addr)) return to;
  const group = selfIsHarbor ? toGroup : ownGroup;
  const harbors = table.harbors(group);
  // Keyed by the unordered pair, so replies come back through the harbors the requests took.
  const pick = rendezvous(pairKey(from, to), harbors);
  if (pick === undefined) {
    throw new UnreachableError(
      selfIsHarbor
        ? `no harbor of group ${toGroup} is up (target ${Addr.format(to as Addr)})`
        : `no harbor in group ${ownGroup} to reach group ${toGroup} (target ${Addr.format(to as Addr)})`,
    );
  }
  return pick.addr;
}
