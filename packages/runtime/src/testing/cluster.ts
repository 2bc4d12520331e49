// In-process test clusters: real nodes over loopback TCP, with kill (abrupt), stop (graceful) and restart.
import { Addr } from '@troupe/transport';
import type { Logger } from 'pino';
import type { MembershipProvider } from '../membership/provider.js';
import { StaticMembership } from '../membership/static.js';
import { Node } from '../node/node.js';
import type { NodeOptions } from '../node/options.js';
import { freePort } from './ports.js';

export interface TestClusterOptions {
  /** Node addresses, e.g. `['1.1.1', '1.2.1']`. */
  nodes: string[];
  secret?: string;
  clusterId?: string;
  logger?: Logger;
  /** Extra options for every node (link timeouts, ask deadline, ...). */
  nodeOptions?: Partial<Omit<NodeOptions, 'addr' | 'membership' | 'listen'>>;
  /** Per-node extras, by address. */
  perNode?: Record<string, Partial<Omit<NodeOptions, 'addr' | 'membership' | 'listen'>>>;
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
  /** Stops every node. Idempotent. */
  close(): Promise<void>;
}

/** Starts a cluster of real nodes in this process, linked over loopback TCP. */
export async function createTestCluster(options: TestClusterOptions): Promise<TestCluster> {
  const addrs = options.nodes.map((a) => Addr.parse(a));
  const ports = new Map<number, number>();
  for (const a of addrs) ports.set(a, await freePort());
  const members = addrs.map((a) => ({ addr: a, host: '127.0.0.1', port: ports.get(a)! }));
  const secret = options.secret ?? 'test-cluster-secret';
  const running = new Map<number, Node>();

  const membershipFor = (_addr: Addr): MembershipProvider => new StaticMembership({ members });

  const startNode = async (addr: Addr): Promise<Node> => {
    const text = Addr.format(addr);
    const node = await Node.start({
      ...options.nodeOptions,
      ...options.perNode?.[text],
      addr,
      secret,
      ...(options.clusterId ? { clusterId: options.clusterId } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      listen: { host: '127.0.0.1', port: ports.get(addr)! },
      membership: membershipFor(addr),
    });
    running.set(addr, node);
    return node;
  };

  const started = await Promise.allSettled(addrs.map((a) => startNode(a)));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled([...running.values()].map((n) => n.stop()));
    throw (failed as PromiseRejectedResult).reason;
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
      await node.kill();
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
      })();
      return closing;
    },
  };
}
