// Entity kinds: the user's state and handlers, wrapped into the actor that hosts one entity.
import { type ActorContext, type ActorDefinition, defineActor, type Handlers } from '@troupe/runtime';
import { EntityKindError } from './errors.js';

/** What `init` gets besides the id: the state saved last time, when the kind persists. */
export interface EntitySpec<S, H extends Handlers<S>> {
  /** Unique kind name, e.g. `player`. Part of every entity's key. */
  name: string;
  /** The node type (the middle part of an address) whose members host entities of this kind. */
  type: number;
  /** Builds the state of entity `id`; `saved` is its persisted state, if any. */
  init: (id: string, saved: S | undefined, ctx: ActorContext) => S;
  handlers: H;
  /** Called when an activation ends (passivated, handed off, fenced, or its node stopping). */
  onStop?: (state: S, reason: string, ctx: ActorContext) => unknown;
  /** Passivate after this long without a message (ms); 0 never. Default the extension's `idleMs`. */
  idleMs?: number;
  /** Save the state through the extension's storage on passivation and load it on activation. Default false. */
  persist?: boolean;
}

/** Arguments the hosting actor is spawned with. */
export interface EntityArgs<S> {
  id: string;
  saved: S | undefined;
}

/** Internal handlers of the hosting actor; the manager sends them, never users. */
export const EntityHandler = {
  /** Replies with the state and stops: the last message the activation handles. */
  Passivate: 'troupe.passivate',
  /** Replies with the state (a save on demand). */
  Snapshot: 'troupe.snapshot',
  /** Stops without replying anything worth saving: another owner has a newer epoch. */
  Fence: 'troupe.fence',
} as const;

/** A defined entity kind. The phantom `actor` type carries `S` and `H` to `entity()` refs. */
export interface EntityKind<S = any, H extends Handlers<S> = Handlers<S>> {
  readonly name: string;
  readonly type: number;
  readonly idleMs: number | undefined;
  readonly persist: boolean;
  /** The user's handlers only: what typed refs expose. */
  readonly actor: ActorDefinition<S, EntityArgs<S>, H>;
  /** @internal The hosting actor: the user's handlers plus the internal ones. */
  readonly host: ActorDefinition<S, EntityArgs<S>, Handlers<S>>;
}

const KIND_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Defines an entity kind (a virtual actor): `defineEntity({ name: 'player', type: 3, init, handlers })`.
 * Refs from `entities.entity(Kind, id)` are typed by `handlers`, like `ref<typeof Def>()`.
 */
export function defineEntity<S, H extends Handlers<S>>(spec: EntitySpec<S, H>): EntityKind<S, H> {
  if (!KIND_NAME.test(spec.name))
    throw new EntityKindError(`entity kind name "${spec.name}" must be 1-64 of [A-Za-z0-9_.-]`);
  if (!Number.isInteger(spec.type) || spec.type < 0 || spec.type > 254)
    throw new EntityKindError(`entity kind ${spec.name}: type must be a node type 0..254`);
  for (const handler of Object.keys(spec.handlers))
    if (handler.startsWith('troupe.'))
      throw new EntityKindError(`entity kind ${spec.name}: handler names starting "troupe." are reserved`);
  const init = (args: EntityArgs<S>, ctx: ActorContext) => spec.init(args.id, args.saved, ctx);
  const actor = defineActor<S, EntityArgs<S>, H>({ init, handlers: spec.handlers });
  const host = defineActor<S, EntityArgs<S>, Handlers<S>>({
    init,
    ...(spec.onStop === undefined ? {} : { onStop: spec.onStop }),
    handlers: {
      ...spec.handlers,
      [EntityHandler.Passivate]: (state, _arg, ctx) => {
        ctx.stop('passivated');
        return state;
      },
      [EntityHandler.Snapshot]: (state) => state,
      [EntityHandler.Fence]: (_state, _arg, ctx) => {
        ctx.stop('fenced');
      },
    },
  });
  return Object.freeze({
    name: spec.name,
    type: spec.type,
    idleMs: spec.idleMs,
    persist: spec.persist ?? false,
    actor,
    host,
  });
}

/** The name messages to an entity are addressed to on every node (no actor ever has it). */
export function entityName(kind: string, id: string): string {
  return `troupe.entity/${kind}/${id}`;
}

/** Kind and id of an entity name, or undefined for any other name. */
export function parseEntityName(name: string): { kind: string; id: string } | undefined {
  if (!name.startsWith('troupe.entity/')) return undefined;
  const rest = name.slice('troupe.entity/'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  return { kind: rest.slice(0, slash), id: rest.slice(slash + 1) };
}

/** The local name of one activation (its epoch in the name, so a fenced one never takes new mail). */
export function activationName(kind: string, id: string, epoch: number): string {
  return `troupe.entity/${kind}/${id}#${epoch}`;
}
