// In-process test clusters: real nodes over loopback TCP, with kill (abrupt), stop (graceful) and restart.
import { Addr, TroupeError } from '@troupe/transport';
import type { Logger } from 'pino';
import { CenterMembership } from '../membership/center.js';
import type { MembershipProvider } from '../membership/provider.js';
import { StaticMembership } from '../membership/static.js';
import { killNode } from '../node/kill.js';
import { coreOf, Node, type NodeStartOptions } from '../node/node.js';
import { ClusterFaults, type Side } from './faults.js';
import { freePort } from './ports.js';

/**
 * A membership for test clusters provided by another package (`etcdTestMembership()` from
 * `@troupe/membership-etcd/testing`): a provider per node, and what to release when the cluster closes.
 */
export interface TestMembershipFactory {
  readonly kind: string;
  provider(addr: Addr, cluster: { clusterId: string; leaseMs?: number }): MembershipProvider;
  /** Called once by `close()`, and when the cluster fails to start. */
  close?(): Promise<void>;
}

/** How long `createTestCluster` waits for every node to see the others by default. */
export const DEFAULT_CONVERGE_TIMEOUT_MS = 10_000;

/** A test cluster's nodes did not all see each other in time; the message names who misses whom. */
export class ClusterNotConvergedError extends TroupeError {
  constructor(message: string) {
    super('CLUSTER_NOT_CONVERGED', message);
    this.name = 'ClusterNotConvergedError';
  }
}

/** Which membership provider the cluster's nodes use. */
export type TestMembership = 'static' | 'center' | TestMembershipFactory;

export interface TestClusterOptions {
  /** Node addresses, e.g. `['1.1.1', '1.2.1']`. */
  nodes: string[];
  secret?: string;
  clusterId?: string;
  logger?: Logger;
  /** Extra options for every node (link timeouts, ask deadline, ...). */
  nodeOptions?: Partial<Omit<NodeStartOptions, 'addr' | 'membership' | 'listen'>>;
  /** Membership provider: `static` (default), `center`, or a factory (etcd); the cluster closes it. */
  membership?: TestMembership;
  /** With `center`: the node that runs the registry; default the first node. */
  center?: string;
  /** With `center`: persist the registry's KV to this file. */
  centerPersistFile?: string;
  /** With `center`: lease length (ms); passed to a factory (etcd rounds it to whole seconds). */
  leaseMs?: number;
  /** Static membership: members that run outside this process (e.g. child processes). */
  external?: Array<{ addr: string; port: number; host?: string }>;
  /** How long to wait for every node to see the others. Default `DEFAULT_CONVERGE_TIMEOUT_MS`. */
  convergeTimeoutMs?: number;
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
  /**
   * Cuts every link between the nodes of `a` and those of `b`, both ways (frames and heartbeats are
   * dropped silently, nothing reconnects): each side declares the other down after the link's
   * `downTimeoutMs`. Holds across restarts until `heal`.
   */
  partition(a: Side, b: Side): void;
  /** Holds every frame `from` sends to `to` for `ms` (one direction). Holds across restarts until `heal`. */
  slow(from: string, to: string, ms: number): void;
  /** Removes the partitions and slowdowns between `a` and `b`, or all of them without arguments. */
  heal(a?: Side, b?: Side): void;
  /**
   * Stops every node gracefully, without waiting for handlers still running (no `stopDrainMs`), and
   * closes the membership factory (an etcd). Idempotent.
   */
  close(): Promise<void>;
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
  const faults = new ClusterFaults((addr) => running.get(addr));

  const kind = options.membership ?? 'static';
  const centerAddr = Addr.parse(options.center ?? options.nodes[0] ?? '1.1.1');
  if (kind === 'center' && !ports.has(centerAddr)) ports.set(centerAddr, await freePort());
  const clusterId = options.clusterId ?? 'troupe';
  const factory = typeof kind === 'object' ? kind : undefined;

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
      default:
        return kind.provider(addr, { clusterId, ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}) });
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
    faults.started(node);
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
    await factory?.close?.();
    throw (failed as PromiseRejectedResult).reason;
  }

  // Registries push views a moment after `start` resolves: wait until every node sees the others.
  const everyone = [...running.values()];
  const deadline = Date.now() + (options.convergeTimeoutMs ?? DEFAULT_CONVERGE_TIMEOUT_MS);
  for (const node of everyone) {
    const expected = everyone.filter((o) => coreOf(node).table.visible(o.selfView()));
    while (node.members().length < expected.length) {
      if (Date.now() > deadline) {
        const seen = new Set(node.members().map((m) => m.addr));
        const missing = expected.filter((o) => !seen.has(o.addr)).map((o) => Addr.format(o.addr));
        await Promise.allSettled(everyone.map((n) => n.stop()));
        await factory?.close?.();
        throw new ClusterNotConvergedError(
          `test cluster: ${Addr.format(node.addr)} does not see ${missing.join(', ')} after ${options.convergeTimeoutMs ?? DEFAULT_CONVERGE_TIMEOUT_MS} ms`,
        );
      }
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
      faults.stopped(node);
      await killNode(node);
    },
    async stop(addr) {
      const node = get(addr);
      running.delete(node.addr);
      faults.stopped(node);
      await node.stop();
    },
    async restart(addr) {
      const a = Addr.parse(addr);
      const old = running.get(a);
      if (old) {
        running.delete(a);
        faults.stopped(old);
        await old.stop();
      }
      return startNode(a);
    },
    partition: (a, b) => faults.partition(a, b),
    slow: (from, to, ms) => faults.slow(from, to, ms),
    heal: (a, b) => faults.heal(a, b),
    close() {
      closing ??= (async () => {
        const nodes = [...running.values()];
        running.clear();
        // Teardown: a graceful stop (deregistration, goodbyes) without waiting for running handlers.
        await Promise.allSettled(nodes.map((n) => coreOf(n).stop(false, 0)));
        await factory?.close?.();
      })();
      return closing;
    },
    port(addr) {
      const p = ports.get(Addr.parse(addr));
      if (p === undefined) throw new Error(`test cluster: no node ${addr}`);
      return p;
    },
  };
}
