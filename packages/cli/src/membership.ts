// The membership provider each node of a config gets: static from the node list, the embedded center, or etcd.
import { resolve } from 'node:path';
import { EtcdMembership } from '@troupe/membership-etcd';
import { Addr, CenterMembership, type MembershipProvider, StaticMembership } from '@troupe/runtime';
import type { Logger } from 'pino';
import type { ClusterSpec, NodeSpec } from './schema.js';

/** The host other nodes dial to reach `node`. */
export function dialHost(node: Pick<NodeSpec, 'host' | 'advertiseHost'>): string {
  if (node.advertiseHost !== undefined) return node.advertiseHost;
  return node.host === '0.0.0.0' || node.host === '::' ? '127.0.0.1' : node.host;
}

/** Whether `addr` runs the center registry in this config. */
export function isCenter(config: Pick<ClusterSpec, 'membership'>, addr: string): boolean {
  return config.membership.kind === 'center' && Addr.parse(config.membership.node) === Addr.parse(addr);
}

/**
 * A fresh provider for a node of the config (each node needs its own). `self` is the address it is for;
 * an observer (not in `nodes`) gets the same view of the cluster.
 */
export function membershipFor(
  config: Pick<ClusterSpec, 'membership' | 'nodes' | 'cluster'>,
  self: string,
  baseDir: string,
  logger?: Logger,
): MembershipProvider {
  const m = config.membership;
  switch (m.kind) {
    case 'static':
      return new StaticMembership({
        members: config.nodes.map((n) => ({
          addr: n.addr,
          host: dialHost(n),
          port: n.port,
          export: n.export,
        })),
      });
    case 'center': {
      const center = config.nodes.find((n) => n.addr === m.node);
      if (center === undefined) throw new RangeError(`membership.node ${m.node} is not in nodes`);
      const serve =
        self === m.node
          ? { serve: m.persistFile ? { persistFile: resolve(baseDir, m.persistFile) } : true }
          : {};
      return new CenterMembership({
        center: { addr: m.node, host: dialHost(center), port: center.port },
        ...(m.leaseMs !== undefined ? { leaseMs: m.leaseMs } : {}),
        ...serve,
      });
    }
    case 'etcd':
      return new EtcdMembership({
        endpoints: [...m.endpoints],
        clusterId: config.cluster,
        ...(m.prefix !== undefined ? { prefix: m.prefix } : {}),
        ...(m.leaseTtlSec !== undefined ? { leaseTtlSec: m.leaseTtlSec } : {}),
        ...(logger ? { logger } : {}),
      });
  }
}
