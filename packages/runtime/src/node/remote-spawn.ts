// Remote spawn: start a registered actor type on another node (by address or by `pick`) and get its ref.
import { Addr } from '@troupe/transport';
import type { AnyActorDefinition } from '../actor/define.js';
import type { ActorId, ActorRef } from '../actor/ref.js';
import type { SpawnOptions } from '../actor/spawn.js';
import { ActorExistsError } from '../errors.js';
import type { PickStrategy } from '../membership/pick.js';
import type { NodeCore } from './core.js';
import { UnknownActorTypeError } from './seam-errors.js';
import { NODE_ACTOR, type RemoteSpawnRequest } from './system-actor.js';

/** Where `spawnOn` starts the actor: a node's address, or a member of a type picked by a strategy. */
export type SpawnTarget = Addr | string | { type: number; strategy?: PickStrategy };

/** Remote spawn options: the spawn options that can travel, and the deadline of the request. */
export type RemoteSpawnOptions<D extends AnyActorDefinition> = SpawnOptions<D> & {
  /** Deadline of the spawn request. Default the node's `askTimeoutMs`. */
  timeoutMs?: number;
};

/** The node a spawn target names. */
function targetNode(core: NodeCore, where: SpawnTarget): Addr {
  if (typeof where === 'object') return core.pick(where.type, where.strategy ?? 'random').addr;
  return Addr.of(where);
}

/** The remote refusal as the named error it stands for. */
function named(err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  const message = (err as Error).message;
  if (code === 'UNKNOWN_ACTOR_TYPE') return new UnknownActorTypeError(message);
  if (code === 'ACTOR_EXISTS') return new ActorExistsError(message);
  return err;
}

/**
 * Spawns `def` (or the type registered under that name) on `where`. The definition must be registered
 * under the same name on the target node (`node.register`), as Akka props and Orleans grain classes
 * must be known where they run. Spawning on this node needs no registration.
 */
export async function spawnOn<D extends AnyActorDefinition>(
  core: NodeCore,
  where: SpawnTarget,
  def: D | string,
  options: RemoteSpawnOptions<D> | undefined,
): Promise<ActorRef<D>> {
  const node = targetNode(core, where);
  const here = Addr.format(core.addr);
  if (node === core.addr) {
    const local = typeof def === 'string' ? core.types.get(def, here) : def;
    return core.actors.spawn(local, options as SpawnOptions<any> | undefined).self as ActorRef<D>;
  }
  const request: RemoteSpawnRequest = { type: typeof def === 'string' ? def : core.types.nameOf(def, here) };
  if (options?.name !== undefined) request.name = options.name;
  if (options?.args !== undefined) request.args = options.args;
  if (options?.mailboxLimit !== undefined) request.mailboxLimit = options.mailboxLimit;
  if (options?.supervision !== undefined) request.supervision = options.supervision;
  let id: ActorId;
  try {
    id = (await core.router.ask(
      { node, name: NODE_ACTOR },
      'spawn',
      request,
      options?.timeoutMs === undefined ? undefined : { timeoutMs: options.timeoutMs },
      undefined,
    )) as ActorId;
  } catch (err) {
    throw named(err);
  }
  return core.ref<D>({ node, name: id.name }, undefined);
}
