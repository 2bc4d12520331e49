// `troupe status <config>`: members, load and sessions, as a table or JSON.
import { type CliArgs, configArg, parseDuration } from '../args.js';
import { loadConfig } from '../config.js';
import { clusterStatus, formatStatus } from '../status.js';
import type { Io } from './io.js';

/** Runs `troupe status`; exit code 1 when some member did not answer. */
export async function statusCommand(args: CliArgs, io: Io): Promise<number> {
  const config = await loadConfig(configArg(args));
  const members = await clusterStatus(config, {
    ...(args.as !== undefined ? { as: args.as } : {}),
    ...(args.timeout !== undefined ? { timeoutMs: parseDuration(args.timeout, 'timeout') } : {}),
    env: io.env,
  });
  if (args.json) io.stdout(`${JSON.stringify({ cluster: config.cluster, members })}\n`);
  else
    io.stdout(
      `cluster ${config.cluster}: ${members.length} members (${config.membership.kind} membership)\n${formatStatus(members)}\n`,
    );
  return members.some((m) => m.error !== undefined) ? 1 : 0;
}
