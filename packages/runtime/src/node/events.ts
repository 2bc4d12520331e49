// The events a node emits to its owner, and the dead-letter record.
import type { ActorId } from '../actor/ref.js';
import type { MemberRecord } from '../membership/provider.js';

/** A message that could not be delivered. */
export interface DeadLetter {
  to: ActorId;
  handler: string;
  reason: string;
}

/** Events of a `Node`. */
export interface NodeEvents {
  memberUp: (member: MemberRecord) => void;
  memberDown: (member: MemberRecord, reason: string) => void;
  memberChanged: (member: MemberRecord, previous: MemberRecord) => void;
  deadLetter: (letter: DeadLetter) => void;
}
