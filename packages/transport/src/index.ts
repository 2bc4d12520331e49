// @troupe/transport: bytes on the wire between Troupe nodes.
export { Addr, HARBOR_TYPE } from './addr.js';
export { bodyFlags, decodeBody, decodeBodyAt, encodeBody } from './codec.js';
export type { WireError } from './errors.js';
export {
  ClosedError,
  DecodeError,
  FrameTooLargeError,
  HandshakeError,
  InvalidAddressError,
  NodeDownError,
  OptionError,
  OutboundBufferFullError,
  PendingQueueFullError,
  ProtocolError,
  TroupeError,
  TruncatedFrameError,
} from './errors.js';
export type { Frame, FrameSink } from './frame.js';
export {
  DEFAULT_MAX_FRAME_SIZE,
  encodeFrame,
  FrameDecoder,
  FrameFlag,
  FrameKind,
  HEADER_SIZE,
  setHops,
  writeHeader,
} from './frame.js';
export { PROTOCOL_VERSION } from './handshake.js';
export type { DownInfo, PeerInfo } from './link.js';
export type { PeerEndpoint, TransportOptions } from './options.js';
export {
  DEFAULT_DOWN_TIMEOUT_MS,
  DEFAULT_MAX_OUTBOUND_BYTES,
  DEFAULT_PENDING_LIMIT,
  DEFAULT_RECONNECT_BASE_MS,
  DEFAULT_RECONNECT_MAX_MS,
} from './options.js';
export type { TransportEvents, TransportStats } from './transport.js';
export { TcpTransport } from './transport.js';
