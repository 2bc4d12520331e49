// `troupe ticket <config> --uid U [--gateway ADDR] [--ttl 60s]`: a development login ticket, signed as the login service does.
import { issueTicket } from '@troupe/gateway';
import { type CliArgs, configArg, parseDuration } from '../args.js';
import { loadConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { ticketSecret } from '../roles.js';
import type { Io } from './io.js';

/** Prints a ticket for `--uid` bound to `--gateway` (default the config's first gateway); `--json` adds where to connect. */
export async function ticketCommand(args: CliArgs, io: Io): Promise<number> {
  const config = await loadConfig(configArg(args));
  if (args.uid === undefined || args.uid === '') throw new UsageError('troupe ticket: --uid U is required');
  const secret = ticketSecret(config, io.env);
  if (secret === undefined) throw new UsageError(`troupe ticket: ${config.source} has no tickets.secret`);
  const gateways = config.nodes.filter((n) => n.gateway !== undefined);
  const gatewayAddr = args.gateway ?? gateways[0]?.addr;
  if (gatewayAddr === undefined)
    throw new UsageError(`troupe ticket: ${config.source} has no gateway node; name one with --gateway`);
  const gw = gateways.find((n) => n.addr === gatewayAddr);
  if (args.gateway !== undefined && gw === undefined)
    throw new UsageError(
      `troupe ticket: ${gatewayAddr} is not a gateway of ${config.source} (${gateways.map((n) => n.addr).join(', ') || 'none'})`,
    );
  const ttlMs = args.ttl !== undefined ? parseDuration(args.ttl, 'ttl') : config.tickets?.ttlMs;
  const ticket = issueTicket(secret, {
    uid: args.uid,
    gateway: gatewayAddr,
    ...(ttlMs !== undefined ? { ttlMs } : {}),
  });
  if (!args.json) {
    io.stdout(`${ticket}\n`);
    return 0;
  }
  const ws = gw?.gateway?.ws;
  const tcp = gw?.gateway?.tcp;
  io.stdout(
    `${JSON.stringify({
      uid: args.uid,
      gateway: gatewayAddr,
      ticket,
      ...(ws && ws.port !== 0 ? { ws: `ws://${ws.host}:${ws.port}` } : {}),
      ...(tcp && tcp.port !== 0 ? { tcp: `${tcp.host}:${tcp.port}` } : {}),
    })}\n`,
  );
  return 0;
}
