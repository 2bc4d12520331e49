// In-process test clusters: real nodes over loopback TCP, with kill (abrupt), stop (graceful) and restart.
import { Addr } from '@troupe/transport';
import type { Logger } from 'pino';
import { CenterMembership } from '../membership/center.js';
import { EtcdMembership } from '../membership/etcd.js';
import type { MembershipProvider } from '../membership/provider.js';
import { StaticMembership } from '../membership/static.js';
import { killNode } from '../node/kill.js';
import { coreOf, Node, type NodeStartOptions } from '../node/node.js';
import { type EtcdServer, startEtcd } from './etcd-server.js';
import { freePort } from './ports.js';

/** Which membership provider the cluster's nodes use. */
export type TestMembership = 'static' | 'center' | 'etcd';

export interface TestClusterOptions {
  /** Node addresses, e.g. `['1.1.1', '1.2.1']`. */
  nodes: string[];
  secret?: string;
  clusterId?: string;
  logger?: Logger;
  /** Extra options for every node (link timeouts, ask deadline, ...). */
  nodeOptions?: Partial<Omit<NodeStartOptions, 'addr' | 'membership' | 'listen'>>;
  /** Membership provider: `static` (default), `center` or `etcd` (starts and stops its own etcd). */
  membership?: TestMembership;
  /** With `center`: the node that runs the registry; default the first node. */
  center?: string;
  /** With `center`: persist the registry's KV to this file. */
  centerPersistFile?: string;
  /** With `center`: lease length (ms); with `etcd`: lease TTL is max(1, round(leaseMs / 1000)) s. */
  leaseMs?: number;
  /** Static membership: members that run outside this process (e.g. child processes). */
  external?: Array<{ addr: string; port: number; host?: string }>;
  /** Per-node extras, by address. */
  perNode?: Record<string, Partial<Omit<NodeStartOptions, 'addr' | 'membership' | 'listen'>>>;
}

export interface TestCluster {
  /** The running node at `addr`; throws when it is not running. */
  node(addr: string): Node;
  /** All running nodes. */
  nodes(): Node[];
  /** Abrupt: sockets destroyed, no goodbye, no deregistration. */
  kill(addr: string): Promise<void>;
  /** Graceful stop. */
  stop(addr: string): Promise<void>;
  /** Starts the node at `addr` again (same address and port, new incarnation). */
  restart(addr: string): Promise<Node>;
  /** Stops every node (and the cluster's etcd). Idempotent. */
  close(): Promise<void>;
  /** The etcd started for this cluster, with `membership: 'etcd'`. */
  readonly etcd: EtcdServer | undefined;
  /** Ports by address, fixed for the cluster's life. */
  port(addr: string): number;
}

/** Starts a cluster of real nodes in this process, linked over loopback TCP. */
export async function createTestCluster(options: TestClusterOptions): Promise<TestCluster> {
  const addrs = options.nodes.map((a) => Addr.parse(a));
  const ports = new Map<number, number>();
  for (const a of addrs) ports.set(a, await freePort());
  const members = addrs.map((a) => {
    const exported = options.perNode?.[Addr.format(a)]?.export ?? options.nodeOptions?.export ?? false;
    return { addr: a, host: '127.0.0.1', port: ports.get(a)!, export: exported };
  });
  for (const e of options.external ?? [])
    members.push({ addr: Addr.parse(e.addr), host: e.host ?? '127.0.0.1', port: e.port, export: false });
  const secret = options.secret ?? 'test-cluster-secret';
  const running = new Map<number, Node>();

  const kind = options.membership ?? 'static';
  const centerAddr = Addr.parse(options.center ?? options.nodes[0] ?? '1.1.1');
  if (kind === 'center' && !ports.has(centerAddr)) ports.set(centerAddr, await freePort());
  const clusterId = options.clusterId ?? 'troupe';
  const etcd = kind === 'etcd' ? await startEtcd() : undefined;

  const membershipFor = (addr: Addr): MembershipProvider => {
    switch (kind) {
      case 'static':
        return new StaticMembership({ members });
      case 'center':
        return new CenterMembership({
          center: { addr: centerAddr, host: '127.0.0.1', port: ports.get(centerAddr)! },
          ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
          ...(addr === centerAddr
            ? { serve: options.centerPersistFile ? { persistFile: options.centerPersistFile } : true }
            : {}),
        });
      case 'etcd':
        return new EtcdMembership({
          endpoints: [etcd!.endpoint],
          clusterId,
          ...(options.leaseMs ? { leaseTtlSec: Math.max(1, Math.round(options.leaseMs / 1000)) } : {}),
        });
    }
  };

  const startNode = async (addr: Addr): Promise<Node> => {
    const text = Addr.format(addr);
    const node = await Node.start({
      ...options.nodeOptions,
      ...options.perNode?.[text],
      addr,
      secret,
      clusterId,
      ...(options.logger ? { logger: options.logger } : {}),
      listen: { host: '127.0.0.1', port: ports.get(addr)! },
      membership: membershipFor(addr),
    });
    running.set(addr, node);
    return node;
  };

  const ordered = kind === 'center' ? addrs.filter((a) => a !== centerAddr) : addrs;
  let started: PromiseSettledResult<Node>[] = [];
  if (kind === 'center' && addrs.includes(centerAddr))
    started.push(...(await Promise.allSettled([startNode(centerAddr)])));
  if (!started.some((r) => r.status === 'rejected')) {
    started = [...started, ...(await Promise.allSettled(ordered.map((a) => startNode(a))))];
  }
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled([...running.values()].map((n) => n.stop()));
    await etcd?.stop();
    throw (failed as PromiseRejectedResult).reason;
  }

  // Registries push views a moment after `start` resolves: wait until every node sees the others.
  const everyone = [...running.values()];
  const deadline = Date.now() + 10_000;
  for (const node of everyone) {
    const expected = everyone.filter((o) => coreOf(node).table.visible(o.selfView())).length;
    while (node.members().length < expected) {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  const get = (addr: string): Node => {
    const node = running.get(Addr.parse(addr));
    if (node === undefined) throw new Error(`test cluster: node ${addr} is not running`);
    return node;
  };
  let closing: Promise<void> | undefined;

  return {
    node: get,
    nodes: () => [...running.values()],
    async kill(addr) {
      const node = get(addr);
      running.delete(node.addr);
      await killNode(node);
    },
    async stop(addr) {
      const node = get(addr);
      running.delete(node.addr);
      await node.stop();
    },
    async restart(addr) {
      const a = Addr.parse(addr);
      const old = running.get(a);
      if (old) {
        running.delete(a);
        await old.stop();
      }
      return startNode(a);
    },
    close() {
      closing ??= (async () => {
        const nodes = [...running.values()];
        running.clear();
        await Promise.allSettled(nodes.map((n) => n.stop()));
        await etcd?.stop();
      })();
      return closing;
    },
    etcd,
    port(addr) {
      const p = ports.get(Addr.parse(addr));
      if (p === undefined) throw new Error(`test cluster: no node ${addr}`);
      return p;
    },
  };
}
