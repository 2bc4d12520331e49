// What travels through a mailbox: a user message, and where its reply goes.
import type { WireError } from '@troupe/transport';
import type { ActorId } from './ref.js';

/** Where an ask's reply goes: a local promise or a remote node's ask table. */
export interface Replier {
  ok(value: unknown): void;
  /** `thrown`: the error came from the handler (the caller sees `RemoteError`), not from the runtime. */
  fail(error: WireError, thrown?: boolean): void;
}

/**
 * One user message. A class so every envelope has the same shape (one hidden class on the hot path);
 * the sender is kept as its two parts, so a message from a peer needs no extra object.
 */
export class Envelope {
  constructor(
    readonly handler: string,
    readonly arg: unknown,
    /** The sending actor's node and name; `senderName` undefined when no actor sent it. */
    readonly senderNode: number,
    readonly senderName: string | undefined,
    readonly replier: Replier | undefined,
  ) {}
}

/** System messages run before user messages. */
export type SystemMessage =
  | { type: 'terminated'; ref: ActorId; reason: string }
  | { type: 'stop'; reason: string }
  | { type: 'restart' }
  | { type: 'childFailed'; child: string; error: unknown };
