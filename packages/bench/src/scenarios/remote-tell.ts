// remote-tell: one-way messages per second between two node processes, against raw loopback TCP.
import { rawTcpTell } from '../baselines/raw-tcp.js';
import type { Scenario } from '../scenario.js';
import { troupeRemoteTell } from '../troupe/remote-tell.js';

export const remoteTell: Scenario = {
  name: 'remote-tell',
  unit: 'msgs/s',
  summary: 'one-way casts of a ~100-byte msgpack body between two node processes',
  baselineName: 'raw TCP',
  goals: [{ of: 'baseline', atLeast: 0.7 }],
  async run(ctx) {
    const w = ctx.windows.remote;
    const troupe = await ctx.measure('troupe', () => troupeRemoteTell(ctx), w);
    const baseline = await ctx.measure('baseline', () => rawTcpTell(ctx), w);
    return { troupe: troupe.value, baseline: baseline.value };
  },
};
