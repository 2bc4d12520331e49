// @troupe/transport/internal: pieces the tests (and tools like a dashboard) need, not part of the public API.
export type { ConnectionState } from './connection.js';
export type { Hello, HelloCheck, Reject, Role } from './handshake.js';
export {
  authFrame,
  checkHello,
  computeProof,
  helloFrame,
  NONCE_SIZE,
  newNonce,
  PROTOCOL_VERSION,
  parseReject,
  RejectCode,
  rejectFrame,
  verifyAuth,
  welcomeFrame,
} from './handshake.js';
export type { ResolvedOptions } from './options.js';
export { backoffDelay, resolveOptions } from './options.js';
export { OUT_BUFFER_INITIAL, OutBuffer } from './outbuf.js';
export type { RawIdentity } from './raw-peer.js';
export { RawPeer, RawServer } from './raw-peer.js';
export { once, seededRandom, stallEventLoop, waitFor } from './test-helpers.js';
export type { Received } from './test-net.js';
export { captureLogs, Inbox, TestNet } from './test-net.js';
export type { TransportSnapshot } from './transport.js';
export { snapshotOf } from './transport.js';
