// A real etcd for test clusters: `createTestCluster({ membership: await etcdTestMembership() })`.

import type { TestMembershipFactory } from '@troupe/runtime/testing';
import type { Addr } from '@troupe/transport';
import { EtcdMembership } from '../etcd.js';
import { type EtcdServer, type EtcdServerOptions, startEtcd } from './etcd-server.js';

/** An etcd test membership: the server it started, and providers that register with it. */
export interface EtcdTestMembership extends TestMembershipFactory {
  readonly server: EtcdServer;
}

/**
 * Starts a throwaway etcd and returns a test-cluster membership over it. The cluster stops the etcd
 * when it closes (also when it fails to start).
 */
export async function etcdTestMembership(options: EtcdServerOptions = {}): Promise<EtcdTestMembership> {
  const server = await startEtcd(options);
  return {
    kind: 'etcd',
    server,
    provider(_addr: Addr, cluster) {
      return new EtcdMembership({
        endpoints: [server.endpoint],
        clusterId: cluster.clusterId,
        // etcd leases are whole seconds.
        ...(cluster.leaseMs ? { leaseTtlSec: Math.max(1, Math.round(cluster.leaseMs / 1000)) } : {}),
      });
    },
    close: () => server.stop(),
  };
}
