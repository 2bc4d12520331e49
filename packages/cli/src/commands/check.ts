// `troupe check <config>`: prints every problem with its path and exits 1, or a one-line summary and 0.
import { type CliArgs, configArg } from '../args.js';
import { checkConfig } from '../check.js';
import type { Io } from './io.js';

/** Runs `troupe check`; resolves to the exit code. */
export async function checkCommand(args: CliArgs, io: Io): Promise<number> {
  const file = configArg(args);
  const result = await checkConfig(file, io.env);
  if (!result.ok) {
    io.stderr(`${file}: ${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}\n`);
    for (const issue of result.issues) io.stderr(`  ${issue.path || '(root)'}: ${issue.message}\n`);
    return 1;
  }
  const { config } = result;
  const services = config.nodes.reduce((n, node) => n + node.services.length, 0);
  io.stdout(
    `${file}: ok, cluster ${config.cluster}, ${config.nodes.length} node${config.nodes.length === 1 ? '' : 's'} (${config.nodes
      .map((n) => n.addr)
      .join(', ')}), ${config.membership.kind} membership, ${services} service${services === 1 ? '' : 's'}\n`,
  );
  return 0;
}
