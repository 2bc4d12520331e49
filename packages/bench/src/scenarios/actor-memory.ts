// actor-memory: heap bytes per idle spawned actor, against Akka's published figure.
import { bareActorMemorySide } from '../baselines/bare.js';
import type { Scenario } from '../scenario.js';
import { troupeActorMemory } from '../troupe/actor-memory.js';
import { MEMORY_ACTORS, MEMORY_ACTORS_QUICK } from '../workload.js';

/** Akka: "~2.5 million actors per GB of heap", i.e. 2^30 / 2.5e6 ≈ 430 bytes per actor. A constant. */
export const AKKA_BYTES_PER_ACTOR = 430;

export const actorMemory: Scenario = {
  name: 'actor-memory',
  unit: 'B/actor',
  summary: `heap bytes per idle spawned actor (${MEMORY_ACTORS} spawned, ${MEMORY_ACTORS_QUICK} with --quick)`,
  baselineName: 'Akka',
  goals: [{ of: 'value', atMost: 1000 }],
  extraMetrics: { bytes: { label: 'bare actor record: Map entry + name + state + bare mailbox (B)' } },
  async run(ctx) {
    const params = { actors: ctx.quick ? MEMORY_ACTORS_QUICK : MEMORY_ACTORS };
    const troupe = await ctx.measure('troupe', () => troupeActorMemory(ctx, params), ctx.windows.local);
    const bare = await ctx.measure('bare', () => bareActorMemorySide(ctx, params), ctx.windows.local);
    return { troupe: troupe.value, baseline: AKKA_BYTES_PER_ACTOR, extra: { 'bare.bytes': bare.value } };
  },
};
