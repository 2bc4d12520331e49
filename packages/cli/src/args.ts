// Command-line parsing for `troupe`: one table of options shared by every command.
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

/** The parsed command line. */
export interface CliArgs {
  command: string | undefined;
  positionals: string[];
  nodes: string[];
  /** `--port ADDR=PORT` values. */
  ports: string[];
  processes: boolean;
  pretty: boolean;
  logLevel: string | undefined;
  json: boolean;
  as: string | undefined;
  uid: string | undefined;
  gateway: string | undefined;
  ttl: string | undefined;
  timeout: string | undefined;
  /** `--http-port` of `troupe dashboard`. */
  dashboardPort: string | undefined;
  help: boolean;
}

/** Parses `argv` (without node and the script); throws `UsageError` for unknown options. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  return {
    command: positionals[0],
    positionals: positionals.slice(1),
    nodes: values.node ?? [],
    ports: values.port ?? [],
    processes: values.processes ?? false,
    pretty: values.pretty ?? false,
    logLevel: values['log-level'],
    json: values.json ?? false,
    as: values.as,
    uid: values.uid,
    gateway: values.gateway,
    ttl: values.ttl,
    timeout: values.timeout,
    dashboardPort: values['http-port'],
    help: values.help ?? false,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      node: { type: 'string', multiple: true },
      port: { type: 'string', multiple: true },
      processes: { type: 'boolean' },
      pretty: { type: 'boolean' },
      'log-level': { type: 'string' },
      json: { type: 'boolean' },
      as: { type: 'string' },
      uid: { type: 'string' },
      gateway: { type: 'string' },
      ttl: { type: 'string' },
      timeout: { type: 'string' },
      'http-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** `30s`, `2m`, `1500ms` or a bare number of milliseconds, as milliseconds. */
export function parseDuration(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (m === null)
    throw new UsageError(
      `--${option}: expected a duration like 30s, 2m or 1500ms, got ${JSON.stringify(text)}`,
    );
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

/** The one config path a command takes. */
export function configArg(args: CliArgs): string {
  const file = args.positionals[0];
  if (file === undefined)
    throw new UsageError(`troupe ${args.command}: missing <config> (a .json, .yaml or .ts cluster config)`);
  if (args.positionals.length > 1)
    throw new UsageError(`troupe ${args.command}: unexpected ${args.positionals.slice(1).join(' ')}`);
  return file;
}
