// @troupe/transport: bytes on the wire between Troupe nodes.
export { Addr, HARBOR_TYPE } from './addr.js';
export type { WireError } from './errors.js';
export {
  ClosedError,
  DecodeError,
  FrameTooLargeError,
  HandshakeError,
  InvalidAddressError,
  NodeDownError,
  OptionError,
  PendingQueueFullError,
  ProtocolError,
  TroupeError,
  TruncatedFrameError,
} from './errors.js';
