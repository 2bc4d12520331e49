// @troupe/transport/testing: helpers for tests of the transport and of what is built on it. Not shipped in the main entry.
export type { LinkFaults } from './link-faults.js';
export { linkFaults } from './link-faults.js';
export type { RawIdentity } from './raw-peer.js';
export { RawPeer, RawServer, testIdentity } from './raw-peer.js';
export type { Received } from './test-net.js';
export { captureLogs, Inbox, TestNet } from './test-net.js';
export type { TestCredentials } from './tls.js';
export { makeTestCredentials } from './tls.js';
export { once, seededRandom, stallEventLoop, waitFor } from './wait.js';
