// startCluster: the nodes of a config started in this process, their services spawned, stopped together.
import { Addr, Node } from '@troupe/runtime';
import pino, { type Logger } from 'pino';
import { type ClusterConfig, parseCluster } from './config.js';
import { UsageError } from './errors.js';
import { extensionsFor } from './extensions.js';
import { DEFAULT_LINK_WAIT_MS, waitLinked, waitPlaceable } from './linked.js';
import { isCenter, membershipFor } from './membership.js';
import { loadService } from './modules.js';
import { assignPorts } from './ports.js';
import { type NodeRoles, rolesFor, type ServiceContext } from './roles.js';
import type { NodeSpec } from './schema.js';
import { resolveSecret } from './secret.js';

/** Options of `startCluster`. */
export interface StartClusterOptions {
  /** Addresses of the nodes to start here; default all of them. */
  nodes?: readonly string[];
  /** Parent logger; default a silent one. */
  logger?: Logger;
  /**
   * Wait until every node started here has linked to every other (a round trip each way). Default true
   * when all nodes of the config start here; a bound in ms may be given instead of `true`.
   */
  waitLinked?: boolean | number;
  /** Ports by node address, over the config's (`--port ADDR=PORT`). */
  ports?: Record<string, number>;
  /** Where `{ env: NAME }` secrets are read; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** Where a started node listens. */
export interface NodeEndpoint {
  addr: string;
  host: string;
  port: number;
}

/** A gateway's client addresses. */
export interface GatewayEndpoint {
  addr: string;
  ws?: string;
  tcp?: string;
}

/** What clients connect to, as examples print it on their first line. */
export interface ClientEndpoints {
  nodes: NodeEndpoint[];
  gateways: GatewayEndpoint[];
  /** Login services' HTTP endpoints (`POST /login`). */
  login: string[];
}

/** Nodes started by `startCluster`. */
export interface RunningCluster {
  readonly config: ClusterConfig;
  /** The started node at `addr`; throws `UsageError` for one not started here. */
  node(addr: string): Node;
  nodes(): Node[];
  endpoints(): NodeEndpoint[];
  /** Nodes, gateways and login URLs: what to print for clients. */
  clientEndpoints(): ClientEndpoints;
  /** The extensions a node's services see (`args.troupe`). */
  context(addr: string): ServiceContext;
  /** Stops every node gracefully (the center last); idempotent. */
  stop(): Promise<void>;
}

function selectNodes(
  config: ClusterConfig,
  wanted: readonly string[] | undefined,
): Array<[NodeSpec, number]> {
  const all = config.nodes.map((n, i) => [n, i] as [NodeSpec, number]);
  if (wanted === undefined) return all;
  const known = config.nodes.map((n) => n.addr);
  for (const addr of wanted)
    if (!known.includes(addr))
      throw new UsageError(`node ${addr} is not in ${config.source} (it has ${known.join(', ')})`);
  return all.filter(([n]) => wanted.includes(n.addr));
}

interface Started {
  node: Node;
  context: ServiceContext;
}

async function startOne(
  config: ClusterConfig,
  spec: NodeSpec,
  index: number,
  secret: string,
  logger: Logger,
  env: NodeJS.ProcessEnv | undefined,
): Promise<Started> {
  const roles: NodeRoles = await rolesFor(config, spec, index, env);
  const extensions = [...roles.extensions, ...(await extensionsFor(config, spec, index))];
  const services = await Promise.all(
    spec.services.map((s, j) => loadService(config.baseDir, s, `nodes[${index}].services[${j}]`)),
  );
  const node = await Node.start({
    addr: spec.addr,
    secret,
    clusterId: config.cluster,
    listen: { host: spec.host, port: spec.port },
    ...(spec.advertiseHost !== undefined ? { advertiseHost: spec.advertiseHost } : {}),
    export: spec.export,
    meta: spec.meta,
    membership: membershipFor(config, spec.addr, config.baseDir, logger),
    logger,
    extensions,
    ...(config.askTimeoutMs !== undefined ? { askTimeoutMs: config.askTimeoutMs } : {}),
  });
  try {
    spec.services.forEach((s, j) => {
      node.spawn(services[j]!, { name: s.name, args: { ...s.args, troupe: roles.context } } as never);
    });
  } catch (err) {
    await node.stop();
    throw err;
  }
  return { node, context: roles.context };
}

/**
 * Starts the config's nodes (or those in `options.nodes`) in this process: the center first, then the
 * rest in parallel; each spawns its services. On any failure the nodes already up are stopped.
 */
export async function startCluster(
  input: ClusterConfig | unknown,
  options: StartClusterOptions = {},
): Promise<RunningCluster> {
  const parsed = parseCluster(input);
  selectNodes(parsed, options.nodes); // refuses unknown addresses before any port is chosen
  const config = await assignPorts(parsed, options.ports ?? {}, options.nodes === undefined);
  const selected = selectNodes(config, options.nodes);
  const secret = resolveSecret(config.secret, options.env);
  const logger = options.logger ?? pino({ level: 'silent' });
  const running: Node[] = [];
  const contexts = new Map<number, ServiceContext>();
  const first = selected.filter(([n]) => isCenter(config, n.addr));
  const rest = selected.filter(([n]) => !isCenter(config, n.addr));
  const stopAll = () => Promise.allSettled([...running].reverse().map((n) => n.stop()));
  try {
    for (const group of [first, rest]) {
      const results = await Promise.allSettled(
        group.map(([n, i]) => startOne(config, n, i, secret, logger, options.env)),
      );
      for (const r of results)
        if (r.status === 'fulfilled') {
          running.push(r.value.node);
          contexts.set(r.value.node.addr, r.value.context);
        }
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
    const wait = options.waitLinked ?? selected.length === config.nodes.length;
    if (wait !== false) {
      const bound = typeof wait === 'number' ? wait : DEFAULT_LINK_WAIT_MS;
      await waitLinked(running, bound);
      await waitPlaceable([...contexts.values()], bound);
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  const byAddr = new Map(running.map((n) => [n.addr as number, n]));
  const endpoints = (): NodeEndpoint[] =>
    running.map((n) => {
      const spec = config.nodes.find((s) => Addr.parse(s.addr) === n.addr)!;
      return { addr: spec.addr, host: spec.host, port: n.port };
    });
  return {
    config,
    node(addr) {
      const n = byAddr.get(Addr.parse(addr));
      if (n === undefined) throw new UsageError(`node ${addr} was not started here`);
      return n;
    },
    nodes: () => [...running],
    endpoints,
    clientEndpoints() {
      const gateways: GatewayEndpoint[] = [];
      const login: string[] = [];
      for (const n of running) {
        const c = contexts.get(n.addr)!;
        if (c.gateway) gateways.push({ addr: c.addr, ...c.gateway.addresses() });
        if (c.login?.url) login.push(c.login.url);
      }
      return { nodes: endpoints(), gateways, login };
    },
    context(addr) {
      const c = contexts.get(Addr.parse(addr));
      if (c === undefined) throw new UsageError(`node ${addr} was not started here`);
      return c;
    },
    stop() {
      stopping ??= (async () => {
        const centers = running.filter((n) => isCenter(config, Addr.format(n.addr)));
        await Promise.allSettled(running.filter((n) => !centers.includes(n)).map((n) => n.stop()));
        await Promise.allSettled(centers.map((n) => n.stop()));
      })();
      return stopping;
    },
  };
}
