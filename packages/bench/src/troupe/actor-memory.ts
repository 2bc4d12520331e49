// Troupe's side of actor-memory: heap bytes per idle spawned actor.
import { freshProcessSide, type Side, type SideContext } from '../sides.js';
import type { LocalWorkerOptions } from './local.worker.js';

const WORKER = new URL('./local.worker.ts', import.meta.url);

/**
 * Opens the Troupe side of actor-memory. `measure()` returns heap bytes per actor: in a fresh `--expose-gc`
 * process, start a node, gc, read `heapUsed`, spawn `params.actors` idle actors named as the bare records are,
 * gc, read `heapUsed` again, divide the difference by `params.actors`.
 */
export async function troupeActorMemory(ctx: SideContext, params: { actors: number }): Promise<Side> {
  const options: LocalWorkerOptions = { memory: true };
  return freshProcessSide(ctx, WORKER, 'memory', params, { options, execArgv: ['--expose-gc'] });
}
