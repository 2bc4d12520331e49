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
export type { HandshakeValue } from './handshake-codec.js';
export { readHandshakeMap } from './handshake-codec.js';
export type { HandshakeStep } from './handshake-machine.js';
export { HandshakeMachine } from './handshake-machine.js';
export type { ResolvedOptions } from './options.js';
export { backoffDelay, resolveOptions } from './options.js';
export { OUT_BUFFER_INITIAL, OutBuffer } from './outbuf.js';
export type { TransportSnapshot } from './stats.js';
export { snapshotOf } from './stats.js';
// Re-exported until every importer uses `@troupe/transport/testing`.
export type { LinkFaults, RawIdentity, Received, TestCredentials } from './testing/index.js';
export {
  captureLogs,
  Inbox,
  linkFaults,
  makeTestCredentials,
  once,
  RawPeer,
  RawServer,
  seededRandom,
  stallEventLoop,
  TestNet,
  waitFor,
} from './testing/index.js';
