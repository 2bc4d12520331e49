// stream-bulk: one bulk stream against raw loopback TCP, and what one stalled reader costs 99 other streams.
import { rawTcpBulk } from '../baselines/raw-bulk.js';
import type { BulkSample } from '../bulk-side.js';
import type { Scenario } from '../scenario.js';
import type { Sample } from '../sides.js';
import { troupeStreamBulk, troupeStreamStall } from '../troupe/stream-bulk.js';

const CHUNK = 64 * 1024;
const STREAMS = 100;

export const streamBulk: Scenario = {
  name: 'stream-bulk',
  unit: 'MB/s',
  summary: `one stream written in ${CHUNK / 1024} KiB chunks between two node processes; ${STREAMS} streams with one stalled reader`,
  baselineName: 'raw loopback TCP',
  goals: [{ of: 'baseline', atLeast: 0.5 }],
  extraMetrics: {
    sinkCpuMsPerMB: {
      label: 'CPU ms per MB at the receiving process (holds on a busy machine)',
      ratio: true,
    },
    sourceCpuMsPerMB: { label: 'CPU ms per MB at the sending process', ratio: true },
    share: {
      label: `${STREAMS} streams, one reader stalled: the others' per-stream throughput vs none stalled (goal >= 0.9)`,
    },
  },
  async run(ctx) {
    const w = ctx.windows.remote;
    const troupe = (await ctx.measure('troupe', () => troupeStreamBulk(ctx, { chunk: CHUNK }), w)) as Sample &
      Partial<BulkSample>;
    const baseline = (await ctx.measure('baseline', () => rawTcpBulk(ctx, { chunk: CHUNK }), w)) as Sample &
      Partial<BulkSample>;
    const stall = await ctx.measure(
      'stalled',
      () => troupeStreamStall(ctx, { chunk: CHUNK, streams: STREAMS }),
      w,
    );
    return {
      troupe: troupe.value / 1e6,
      baseline: baseline.value / 1e6,
      extra: {
        'troupe.sinkCpuMsPerMB': troupe.sinkCpuMsPerMB ?? Number.NaN,
        'baseline.sinkCpuMsPerMB': baseline.sinkCpuMsPerMB ?? Number.NaN,
        'troupe.sourceCpuMsPerMB': troupe.sourceCpuMsPerMB ?? Number.NaN,
        'baseline.sourceCpuMsPerMB': baseline.sourceCpuMsPerMB ?? Number.NaN,
        'stalled.share': stall.value,
      },
    };
  },
};
