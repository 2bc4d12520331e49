// `troupe up <config> --processes`: one supervised child process per node, until SIGINT/SIGTERM.
import { type CliArgs, configArg } from '../args.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { assignPorts, needsFixedPort, parsePortFlags } from '../ports.js';
import { onShutdown } from '../signals.js';
import { Supervisor } from '../supervisor.js';
import type { Io } from './io.js';

type Level = Parameters<typeof createLogger>[0]['level'];

/**
 * Runs each node as `troupe start <config> --node ADDR` in a child process (this same script, with
 * this process's Node flags), restarts crashed children with backoff, and stops them all on a signal.
 * Prints `{"nodes":[{addr,host,port}...],"pids":{...}}` as the first stdout line.
 */
export async function processesCommand(args: CliArgs, io: Io, script: string): Promise<void> {
  const file = configArg(args);
  // Ports every child must agree on (static members, the center) are chosen here, once.
  const config = await assignPorts(await loadConfig(file), parsePortFlags(args.ports), true);
  const portFlags = config.nodes.flatMap((n) =>
    needsFixedPort(config, n.addr) ? ['--port', `${n.addr}=${n.port}`] : [],
  );
  const log = createLogger({ level: (args.logLevel ?? config.log.level) as Level, pretty: args.pretty });
  const passOn = [
    ...(args.pretty ? ['--pretty'] : []),
    ...(args.logLevel ? ['--log-level', args.logLevel] : []),
  ];
  const supervisor = new Supervisor({
    nodes: config.nodes.map((n) => n.addr),
    command: (addr) => ({
      file: process.execPath,
      args: [...process.execArgv, script, 'start', file, '--node', addr, ...portFlags, ...passOn],
    }),
    log,
    env: io.env,
  });
  onShutdown(() => supervisor.stop(), { log, force: () => supervisor.kill() });
  supervisor.start();
  io.stdout(
    `${JSON.stringify({ nodes: config.nodes.map((n) => ({ addr: n.addr, host: n.host, port: n.port })), pids: supervisor.pids() })}\n`,
  );
}
