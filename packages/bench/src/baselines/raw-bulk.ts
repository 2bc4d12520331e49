// Raw loopback TCP bulk transfer between two processes: stream-bulk's ceiling.
import { bulkSide } from '../bulk-side.js';
import type { Side, SideContext } from '../sides.js';
import type { RawBulkOptions } from './raw-bulk.worker.js';

const WORKER = new URL('./raw-bulk.worker.ts', import.meta.url);

/** A source writes `params.chunk`-byte buffers as fast as the socket drains; the sink counts bytes. */
export async function rawTcpBulk(ctx: SideContext, params: { chunk: number }): Promise<Side> {
  const sink = await ctx.spawn(WORKER, { options: { role: 'sink' } satisfies RawBulkOptions });
  const { port } = sink.info as { port: number };
  try {
    const source = await ctx.spawn(WORKER, {
      options: { role: 'source', port, chunk: params.chunk } satisfies RawBulkOptions,
    });
    return bulkSide(source, sink, [source, sink]);
  } catch (err) {
    sink.kill();
    throw err;
  }
}
