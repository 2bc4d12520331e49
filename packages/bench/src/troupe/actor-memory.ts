// Troupe's side of actor-memory: heap bytes per idle spawned actor.
import type { Side, SideContext } from '../sides.js';
import { needsRuntime } from './not-ready.js';

/**
 * Opens the Troupe side of actor-memory. `measure()` returns heap bytes per actor: in a fresh `--expose-gc`
 * process (`freshProcessSide`), start a node, gc, read `heapUsed`, spawn `params.actors` idle actors, gc,
 * read `heapUsed` again, divide the difference by `params.actors`.
 */
export async function troupeActorMemory(_ctx: SideContext, _params: { actors: number }): Promise<Side> {
  throw needsRuntime('actor-memory');
}
