// `troupe start` and `troupe up`: nodes of a config in this process, until SIGINT/SIGTERM.
import { performance } from 'node:perf_hooks';
import { type CliArgs, configArg } from '../args.js';
import { startCluster } from '../cluster.js';
import { loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { createLogger } from '../logger.js';
import { parsePortFlags } from '../ports.js';
import { onShutdown } from '../signals.js';
import type { Io } from './io.js';

type Level = Parameters<typeof createLogger>[0]['level'];

/**
 * Starts the nodes `start --node ...` names (all of a one-node config without `--node`), or all of them
 * for `up`; prints `{"nodes":[...],"gateways":[{addr,ws,tcp}...],"login":[url...]}` as the first stdout line and runs until a signal.
 */
export async function runCommand(args: CliArgs, io: Io, mode: 'start' | 'up'): Promise<void> {
  const file = configArg(args);
  const config = await loadConfig(file);
  let nodes: string[] | undefined;
  if (mode === 'start') {
    if (args.nodes.length > 0) nodes = args.nodes;
    else if (config.nodes.length > 1)
      throw new UsageError(
        `troupe start: name the node(s) to run with --node (one of ${config.nodes.map((n) => n.addr).join(', ')}), or use troupe up`,
      );
  } else if (args.nodes.length > 0) {
    throw new UsageError('troupe up starts every node; use troupe start --node ADDR for some');
  }
  const log = createLogger({ level: (args.logLevel ?? config.log.level) as Level, pretty: args.pretty });
  const began = performance.now();
  const cluster = await startCluster(config, {
    ...(nodes ? { nodes } : {}),
    ports: parsePortFlags(args.ports),
    logger: log,
    env: io.env,
  });
  const ms = Math.round(performance.now() - began);
  // Before the endpoints line: whoever reads it may signal at once, and a signal before a listener kills.
  onShutdown(() => cluster.stop(), { log, parentChannel: true });
  io.stdout(`${JSON.stringify(cluster.clientEndpoints())}\n`);
  log.info(
    { nodes: cluster.endpoints().map((e) => e.addr), ms, cluster: config.cluster },
    `${mode === 'up' ? 'cluster up and linked' : 'nodes started'} in ${ms} ms`,
  );
}
