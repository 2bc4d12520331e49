// @troupe/transport: bytes on the wire between Troupe nodes.
export { Addr, HARBOR_TYPE } from './addr.js';
export { DIRECT_BODY_MIN } from './batch-writer.js';
export { bodyFlags, decodeBody, decodeBodyAt, encodeBody } from './codec.js';
export type { WireError } from './errors.js';
export {
  ClosedError,
  DecodeError,
  FrameTooLargeError,
  HandshakeError,
  handshakeRefusal,
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
export { PROTOCOL_VERSION, RejectCode } from './handshake.js';
export type { DownInfo, PeerInfo } from './link.js';
export type {
  PeerEndpoint,
  TlsCertificates,
  TlsOptions,
  TlsPreSharedKey,
  TransportOptions,
} from './options.js';
export {
  DEFAULT_DOWN_TIMEOUT_MS,
  DEFAULT_LINK_IDLE_RELEASE_MS,
  DEFAULT_MAX_HANDSHAKE_FRAME_SIZE,
  DEFAULT_MAX_HANDSHAKES,
  DEFAULT_MAX_OUTBOUND_BYTES,
  DEFAULT_PENDING_LIMIT,
  DEFAULT_RECONNECT_BASE_MS,
  DEFAULT_RECONNECT_MAX_MS,
  DEFAULT_WRITE_HIGH_WATER_MARK,
  MAX_DURATION_MS,
} from './options.js';
export type { LinkStats, TransportStats } from './stats.js';
export type { TransportEvents } from './transport.js';
export { TcpTransport } from './transport.js';
