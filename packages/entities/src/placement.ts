// Where an entity lives: rendezvous hashing over the available members of its kind's node type.
import { Addr, type MemberRecord, rendezvous } from '@troupe/runtime';

/** Members that may host entities of node type `type`: available, not observers. */
export function hosts(members: readonly MemberRecord[], type: number): MemberRecord[] {
  return members.filter(
    (m) => Addr.type(m.addr) === type && m.available && m.meta['troupe.observer'] !== true,
  );
}

/**
 * The member hosting shard `shard` of `kind` (every entity of the shard with it), or undefined when no
 * member of the type is up. The key is `kind/shard`; a member joining takes only the shards it now
 * scores highest for, a member leaving gives up only its own.
 */
export function placement(
  kind: string,
  shard: string,
  members: readonly MemberRecord[],
): MemberRecord | undefined {
  return rendezvous(`${kind}/${shard}`, members);
}
