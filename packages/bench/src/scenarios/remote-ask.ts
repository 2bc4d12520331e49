// remote-ask-<n>: request/response between two processes with n in flight, against raw TCP echo and Moleculer.
import { moleculerEcho } from '../baselines/moleculer.js';
import { rawTcpEcho } from '../baselines/raw-tcp.js';
import type { Figures, Goal, Scenario } from '../scenario.js';
import type { Sample } from '../sides.js';
import { troupeRemoteAsk } from '../troupe/remote-ask.js';

function latencies(column: string, sample: Sample): Record<string, number> {
  return {
    [`${column}.p50Us`]: sample.p50Us ?? Number.NaN,
    [`${column}.p99Us`]: sample.p99Us ?? Number.NaN,
  };
}

/** The remote-ask scenario at `inFlight` outstanding requests. */
export function remoteAsk(inFlight: number, goals: Goal[]): Scenario {
  const params = { inFlight };
  return {
    name: `remote-ask-${inFlight}`,
    unit: 'req/s',
    summary: `ask round trips between two node processes, ${inFlight} in flight`,
    baselineName: 'raw TCP',
    goals,
    extraMetrics: {
      p50Us: { label: 'p50 latency (µs)' },
      p99Us: { label: 'p99 latency (µs)' },
      rate: { label: 'raw TCP echo with msgpackr decode + encode at both ends (req/s)' },
    },
    async run(ctx): Promise<Figures> {
      const w = ctx.windows.remote;
      const troupe = await ctx.measure('troupe', () => troupeRemoteAsk(ctx, params), w);
      const baseline = await ctx.measure('baseline', () => rawTcpEcho(ctx, { inFlight, codec: false }), w);
      const moleculer = await ctx.measure('moleculer', () => moleculerEcho(ctx, params), w);
      const msgpack = await ctx.measure('msgpack', () => rawTcpEcho(ctx, { inFlight, codec: true }), w);
      return {
        troupe: troupe.value,
        baseline: baseline.value,
        moleculer: moleculer.value,
        extra: {
          ...latencies('troupe', troupe),
          ...latencies('baseline', baseline),
          ...latencies('moleculer', moleculer),
          ...latencies('msgpack', msgpack),
          'msgpack.rate': msgpack.value,
        },
      };
    },
  };
}
