// entity-activate: the first call to an inactive remote entity against a remote ask to a live actor,
// and heap bytes per idle entity.
import type { Scenario } from '../scenario.js';
import { entityCluster, troupeEntityMemory } from '../troupe/entity-activate.js';

const ENTITIES = 10_000;
const ENTITIES_QUICK = 2000;

export const entityActivate: Scenario = {
  name: 'entity-activate',
  unit: 'p50 µs',
  summary:
    'first call to an inactive entity on another node (placement, ownership claim in the center KV, activation)',
  baselineName: 'remote ask to a live actor',
  goals: [{ of: 'baseline', atMost: 2 }],
  extraMetrics: {
    p99Us: { label: 'p99 µs', ratio: true },
    bytes: { label: `heap bytes per idle entity (${ENTITIES} active, ${ENTITIES_QUICK} with --quick)` },
  },
  async run(ctx) {
    const w = ctx.windows.remote;
    let sides: Awaited<ReturnType<typeof entityCluster>> | undefined;
    const open = async () => {
      sides ??= await entityCluster(ctx);
      return sides;
    };
    const troupe = await ctx.measure('troupe', async () => (await open()).first, w);
    const baseline = await ctx.measure('baseline', async () => (await open()).ask, w);
    const params = { entities: ctx.quick ? ENTITIES_QUICK : ENTITIES };
    const memory = await ctx.measure(
      'entity',
      async () => troupeEntityMemory(ctx, params),
      ctx.windows.local,
    );
    return {
      troupe: troupe.p50Us ?? Number.NaN,
      baseline: baseline.p50Us ?? Number.NaN,
      extra: {
        'troupe.p99Us': troupe.p99Us ?? Number.NaN,
        'baseline.p99Us': baseline.p99Us ?? Number.NaN,
        'entity.bytes': memory.value,
      },
    };
  },
};
