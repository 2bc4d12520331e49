// Troupe's sides of stream-bulk: one bulk stream between two node processes, and 100 streams with one stalled.
import { bulkSide } from '../bulk-side.js';
import type { Side, SideContext } from '../sides.js';
import { members } from './cluster.js';
import type { StreamWorkerOptions } from './stream.worker.js';

const WORKER = new URL('./stream.worker.ts', import.meta.url);
const SOURCE = '1.1.1';
const SINK = '1.2.1';

async function pair(ctx: SideContext, chunk: number) {
  const cluster = await members(ctx, [SOURCE, SINK]);
  const sink = await ctx.spawn(WORKER, {
    options: { self: SINK, members: cluster, chunk } satisfies StreamWorkerOptions,
  });
  try {
    const source = await ctx.spawn(WORKER, {
      options: { self: SOURCE, members: cluster, target: SINK, chunk } satisfies StreamWorkerOptions,
    });
    return { sink, source };
  } catch (err) {
    sink.kill();
    throw err;
  }
}

/**
 * One stream written as fast as its credit allows; `measure` returns bytes per second read at the sink,
 * with the CPU each end spends per MB (`BulkSample`).
 */
export async function troupeStreamBulk(ctx: SideContext, params: { chunk: number }): Promise<Side> {
  const { sink, source } = await pair(ctx, params.chunk);
  return bulkSide(source, sink, [source, sink]);
}

/**
 * `params.streams` streams written at once, measured twice: all read, then with the first one's reader
 * stalled. `measure` returns the others' mean per-stream throughput with the stall as a share of the
 * per-stream throughput without it (1.0: the stall costs the others nothing).
 */
export async function troupeStreamStall(
  ctx: SideContext,
  params: { chunk: number; streams: number },
): Promise<Side> {
  const { sink, source } = await pair(ctx, params.chunk);
  return {
    async measure(window) {
      const timeout = window.warmupMs + window.durationMs + 30_000;
      const free = await source.request<{ value: number }>(
        'multi',
        { ...window, streams: params.streams, stall: false },
        timeout,
      );
      const stalled = await source.request<{ value: number }>(
        'multi',
        { ...window, streams: params.streams, stall: true },
        timeout,
      );
      return { value: stalled.value / free.value };
    },
    async close() {
      source.kill();
      sink.kill();
    },
  };
}
