// The `troupe` command: dispatches to check, start, up, status and ticket.
import { fileURLToPath } from 'node:url';
import { TroupeError } from '@troupe/transport';
import { type CliArgs, parseCliArgs } from './args.js';
import { checkCommand } from './commands/check.js';
import { dashboardCommand } from './commands/dashboard.js';
import { type Io, processIo } from './commands/io.js';
import { processesCommand } from './commands/processes.js';
import { runCommand } from './commands/run.js';
import { statusCommand } from './commands/status.js';
import { ticketCommand } from './commands/ticket.js';
import { UsageError } from './errors.js';

export const USAGE = `usage: troupe <command> [options]

  check <config>                   validate a cluster config (exit 1 with every problem and its path)
  start <config> [--node ADDR ...] run some nodes of the config in this process (one process per node in production)
  up <config>                      run every node in this process
  up <config> --processes          run every node as a supervised child process (restarted with backoff)
  status <config> [--json]         members, load and sessions, seen from an observer node
        [--as ADDR] [--timeout 3s]
  dashboard <config>               the live dashboard from an observer node
        [--http-port 9090] [--as ADDR] [--port ADDR=PORT]
  ticket <config> --uid U          a development login ticket, signed with the config's tickets.secret
        [--gateway ADDR] [--ttl 60s] [--json]

options: --pretty (human-readable logs)  --log-level LEVEL  --port ADDR=PORT (over the config's)  -h, --help
Configs are .json, .yaml/.yml, or a .ts/.js module whose default export is defineCluster({...}).`;

/**
 * Runs one command. Long-running commands (start, up) resolve once started and keep the process alive
 * until a signal; the others resolve to their exit code.
 */
export async function main(
  argv: readonly string[],
  io: Io = processIo,
  script = fileURLToPath(import.meta.url),
): Promise<number | undefined> {
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
    if (args.help || args.command === undefined || args.command === 'help') {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    switch (args.command) {
      case 'check':
        return await checkCommand(args, io);
      case 'start':
        await runCommand(args, io, 'start');
        return undefined;
      case 'up':
        if (args.processes) await processesCommand(args, io, script);
        else await runCommand(args, io, 'up');
        return undefined;
      case 'status':
        return await statusCommand(args, io);
      case 'ticket':
        return await ticketCommand(args, io);
      case 'dashboard':
        await dashboardCommand(args, io);
        return undefined;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(args.command)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`troupe: ${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof TroupeError) {
      io.stderr(`troupe: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  // Run by bin/troupe.js (or a supervisor) with an IPC channel: it must not keep a finished command alive.
  process.channel?.unref();
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== undefined) process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`troupe: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
