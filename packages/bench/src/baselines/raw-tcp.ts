// Raw loopback TCP between two processes: the ceiling for Troupe's remote-tell and remote-ask.
import type { Side, SideContext } from '../sides.js';
import { meteredSide } from '../sides.js';
import type { RawTcpOptions } from './raw-tcp.worker.js';

const WORKER = new URL('./raw-tcp.worker.ts', import.meta.url);

function options(o: RawTcpOptions): { options: RawTcpOptions } {
  return { options: o };
}

/** One-way: a source process streams ~100-byte msgpack bodies to a sink process, which decodes and counts them. */
export async function rawTcpTell(ctx: SideContext): Promise<Side> {
  const sink = await ctx.spawn(WORKER, options({ role: 'sink' }));
  const { port } = sink.info as { port: number };
  const source = await ctx.spawn(WORKER, options({ role: 'source', port }));
  return meteredSide(source, sink, [source, sink]);
}

/**
 * Request/response: a client keeps `inFlight` requests outstanding against an echo server process. The
 * baseline proper echoes bytes (the same ~100-byte msgpack body, never decoded): the transport's ceiling.
 * With `codec` both ends decode and re-encode every body with msgpackr, as an RPC layer must.
 */
export async function rawTcpEcho(
  ctx: SideContext,
  params: { inFlight: number; codec: boolean },
): Promise<Side> {
  const server = await ctx.spawn(WORKER, options({ role: 'echo-server', codec: params.codec }));
  const { port } = server.info as { port: number };
  const client = await ctx.spawn(WORKER, options({ role: 'echo-client', port, ...params }));
  return meteredSide(client, client, [client, server]);
}
