// Troupe's sides of entity-activate: first calls to inactive remote entities, remote asks to a live actor,
// and heap bytes per idle entity.
import type { WorkerHandle } from '../harness.js';
import { freshProcessSide, type Side, type SideContext, selfTimedSide } from '../sides.js';
import type { EntityWorkerOptions } from './entity.worker.js';

const WORKER = new URL('./entity.worker.ts', import.meta.url);

/** A center, an entity host and a caller, each in its own process; the caller times both kinds of call. */
export async function entityCluster(ctx: SideContext) {
  const center = { addr: '1.100.1', port: await ctx.freePort() };
  const workers: WorkerHandle[] = [];
  try {
    for (const role of ['center', 'host', 'caller'] as const) {
      const port = role === 'center' ? center.port : await ctx.freePort();
      const options: EntityWorkerOptions = { role, center, port };
      workers.push(await ctx.spawn(WORKER, { options }));
    }
  } catch (err) {
    for (const w of workers) w.kill();
    throw err;
  }
  const caller = workers[2]!;
  const close = async () => {
    for (const w of workers) w.kill();
  };
  const first: Side = { ...selfTimedSide(caller, 'first'), close };
  const ask: Side = { ...selfTimedSide(caller, 'ask'), close: async () => {} };
  return { first, ask };
}

/** Heap bytes per idle entity, measured in a fresh `--expose-gc` process. */
export function troupeEntityMemory(ctx: SideContext, params: { entities: number }): Side {
  const options: EntityWorkerOptions = { role: 'memory' };
  return freshProcessSide(ctx, WORKER, 'memory', params, { options, execArgv: ['--expose-gc'] });
}
