// @troupe/runtime/testing: in-process clusters and helpers for tests.

export type { TestCluster, TestClusterOptions, TestMembership, TestMembershipFactory } from './cluster.js';
export { createTestCluster } from './cluster.js';
export { freePort } from './ports.js';
export { waitFor, waitForEvent } from './wait.js';
