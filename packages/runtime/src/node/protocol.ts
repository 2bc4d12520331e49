// The node core's frame kinds and their msgpack bodies. Bodies are arrays (positional), the cheapest to encode.
import { FrameKind } from '@troupe/transport';

export const Kind = {
  /** str8 target, str8 handler, str8 sender, arg (see call-codec.ts) */
  Tell: FrameKind.User,
  /** u32 askId, str8 target, str8 handler, str8 sender, arg */
  Ask: FrameKind.User + 1,
  /** u32 askId, u8 status, payload: Ok → value; RuntimeError / HandlerError → {code, message, data?} */
  Reply: FrameKind.User + 2,
  /** [target]: the sending node watches `target` on the receiving node. */
  Watch: FrameKind.User + 3,
  /** [target] */
  Unwatch: FrameKind.User + 4,
  /** [target, reason]: a watched actor on the sending node terminated. */
  Terminated: FrameKind.User + 5,
  /** []: opens a link to see whether a peer is back. */
  Probe: FrameKind.User + 6,
  /** [addr, reason]: from a harbor, a node this node asked or watched through it is down. */
  NodeDown: FrameKind.User + 7,
  /** []: the answer to a Probe that came through harbors (no direct link shows the peer is back). */
  Pong: FrameKind.User + 8,
  /** [names[], handler, sender | null, arg]: one tell fanned out to several actors of the receiving node. */
  Multicast: FrameKind.User + 9,
} as const;

/** Kinds below this belong to the node core (16..47); extensions claim theirs from `ExtensionKinds`. */
export const FIRST_EXTENSION_KIND = 48;

export const ReplyStatus = {
  RuntimeError: 0,
  Ok: 1,
  HandlerError: 2,
} as const;
