// Options for spawning an actor.
import type { AnyActorDefinition, SupervisionOptions } from './define.js';
import type { SpawnArgs } from './types.js';

/** Spawn options; `args` is required when the definition's `init` takes arguments. */
export type SpawnOptions<D extends AnyActorDefinition> = {
  /** Unique on the node; default a generated id. Services are named, sessions get an id. */
  name?: string;
  supervision?: SupervisionOptions;
  mailboxLimit?: number;
} & (undefined extends SpawnArgs<D> ? { args?: SpawnArgs<D> } : { args: SpawnArgs<D> });

/** `spawn(def)` may omit options only when `args` is optional. */
export type SpawnRest<D extends AnyActorDefinition> =
  undefined extends SpawnArgs<D> ? [options?: SpawnOptions<D>] : [options: SpawnOptions<D>];
