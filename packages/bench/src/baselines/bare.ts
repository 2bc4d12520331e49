// The in-process baselines, each run in its own worker so no other scenario's heap or JIT state leaks in.
import { freshProcessSide, type Side, type SideContext, selfTimedSide } from '../sides.js';

const WORKER = new URL('./bare.worker.ts', import.meta.url);

/** local-tell's baseline: bare mailbox ping-pong, one message in flight. */
export async function bareMailboxSide(ctx: SideContext): Promise<Side> {
  return selfTimedSide(await ctx.spawn(WORKER), 'tell');
}

/** local-ask's baseline: bare promise round trips with `inFlight` outstanding. */
export async function barePromiseSide(ctx: SideContext, params: { inFlight: number }): Promise<Side> {
  return selfTimedSide(await ctx.spawn(WORKER), 'ask', params);
}

/** actor-memory's reference floor: bytes per bare actor record, in a fresh `--expose-gc` process per run. */
export async function bareActorMemorySide(ctx: SideContext, params: { actors: number }): Promise<Side> {
  return freshProcessSide(ctx, WORKER, 'memory', params, { execArgv: ['--expose-gc'] });
}
