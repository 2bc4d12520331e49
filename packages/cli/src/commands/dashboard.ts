// `troupe dashboard <config> [--port 9090] [--as ADDR]`: an observer node serving @troupe/dashboard's page.
import { DEFAULT_DASHBOARD_PORT, startDashboard } from '@troupe/dashboard';
import { type CliArgs, configArg } from '../args.js';
import { loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { createLogger } from '../logger.js';
import { membershipFor } from '../membership.js';
import { parsePortFlags } from '../ports.js';
import { resolveSecret } from '../secret.js';
import { onShutdown } from '../signals.js';
import { defaultObserverAddr } from '../status.js';
import type { Io } from './io.js';

type Level = Parameters<typeof createLogger>[0]['level'];

/** Joins as an observer, serves the dashboard, prints `{"dashboard":URL}` first, runs until a signal. */
export async function dashboardCommand(args: CliArgs, io: Io): Promise<void> {
  const config = await loadConfig(configArg(args));
  const port = args.dashboardPort === undefined ? DEFAULT_DASHBOARD_PORT : Number(args.dashboardPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--http-port: expected a port number, got ${JSON.stringify(args.dashboardPort)}`);
  const addr = args.as ?? defaultObserverAddr(config);
  const log = createLogger({ level: (args.logLevel ?? config.log.level) as Level, pretty: args.pretty });
  const ports = parsePortFlags(args.ports);
  const known =
    Object.keys(ports).length === 0
      ? config
      : { ...config, nodes: config.nodes.map((n) => ({ ...n, port: ports[n.addr] ?? n.port })) };
  const dashboard = await startDashboard({
    port,
    cluster: {
      addr,
      secret: resolveSecret(config.secret, io.env),
      clusterId: config.cluster,
      membership: membershipFor(known, addr, config.baseDir),
      logger: log,
    },
  });
  onShutdown(() => dashboard.close(), { log });
  io.stdout(`${JSON.stringify({ dashboard: dashboard.url })}\n`);
  log.info({ url: dashboard.url, observer: addr }, 'dashboard serving');
}
