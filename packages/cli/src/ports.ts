// Fixed ports for nodes configured with port 0 whose peers must know the port (static members, the center).
import { createServer } from 'node:net';
import { Addr } from '@troupe/runtime';
import { type ClusterConfig, parseCluster } from './config.js';
import { UsageError } from './errors.js';
import { isCenter } from './membership.js';

/** A port the OS says is free now (bind to 0, read it, close). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Whether a node's port must be known before it starts: every static member, and the center. */
export function needsFixedPort(config: ClusterConfig, addr: string): boolean {
  return config.membership.kind === 'static' || isCenter(config, addr);
}

/** Parses `--port ADDR=PORT` values. */
export function parsePortFlags(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) {
    const m = /^([^=]+)=(\d+)$/.exec(v);
    const port = Number(m?.[2]);
    if (m === null || !(port > 0 && port <= 65535))
      throw new UsageError(`--port: expected ADDR=PORT, got ${JSON.stringify(v)}`);
    out[Addr.format(Addr.parse(m[1]!))] = port;
  }
  return out;
}

/**
 * The config with `ports` applied, and a free port chosen for every node that has port 0 but needs a
 * fixed one, when `allocate` (all nodes start in this process, or a supervisor hands the ports out).
 * Without `allocate`, such a node is a `UsageError`: its peers in other processes could not find it.
 */
export async function assignPorts(
  config: ClusterConfig,
  ports: Record<string, number>,
  allocate: boolean,
): Promise<ClusterConfig> {
  const nodes = [];
  let changed = false;
  for (const [i, n] of config.nodes.entries()) {
    let port = ports[Addr.format(Addr.parse(n.addr))] ?? n.port;
    if (port === 0 && needsFixedPort(config, n.addr)) {
      if (!allocate)
        throw new UsageError(
          `nodes[${i}].port is 0 but ${n.addr}'s peers must know it: give it a port, start every node together (troupe up), or pass --port ${n.addr}=PORT`,
        );
      port = await freePort(n.host === '0.0.0.0' || n.host === '::' ? '127.0.0.1' : n.host);
    }
    changed ||= port !== n.port;
    nodes.push({ ...n, port });
  }
  if (!changed) return config;
  return parseCluster({ ...config, nodes }, { source: config.source, baseDir: config.baseDir });
}
