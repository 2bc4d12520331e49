// Entities options: defaults, checks that name the property, resolved once and frozen.
import { OptionError } from '@troupe/runtime';
import type { EntityKind } from './kind.js';
import { DEFAULT_SHARDS } from './shards.js';
import type { EntityStorage } from './storage.js';

export interface EntitiesOptions {
  /** The kinds this node knows (to host, or only to address). */
  kinds: readonly EntityKind<any, any>[];
  /** Where persistent kinds keep their state. Required when a kind has `persist: true`. */
  storage?: EntityStorage;
  /** Passivate an entity after this long without a message (ms), unless its kind says otherwise; 0 never. Default 300,000. */
  idleMs?: number;
  /** Pause between attempts to take over an entity that is contested or still held elsewhere (ms). Default 50. */
  retryMs?: number;
  /** Give up activating after this long; waiting asks fail with `ENTITY_UNAVAILABLE`. Default 10,000 ms. */
  activationTimeoutMs?: number;
  /** Deadline of forwarded asks and of the control asks between nodes. Default 5000 ms. */
  askTimeoutMs?: number;
  /**
   * How long a shard record (or a rival claim) naming a node this node's view does not hold is taken
   * for a view that lags behind a join, before that node is taken for gone and its shard claimed
   * without asking it. Longer than the membership's view lag. Default 3000 ms.
   */
  unknownOwnerMs?: number;
  /** Messages held per entity while it activates or hands off. Default 10,000. */
  bufferLimit?: number;
  /** Times a message may be forwarded between nodes whose views disagree. Default 3. */
  maxForwards?: number;
  /**
   * Shards per kind: the unit of ownership and placement. Every node of a cluster must use the same
   * number. About ten per hosting member or more; default 256.
   */
  shards?: number;
}

export const DEFAULT_IDLE_MS = 300_000;
export const DEFAULT_RETRY_MS = 50;
export const DEFAULT_ACTIVATION_TIMEOUT_MS = 10_000;
export const DEFAULT_ENTITY_ASK_TIMEOUT_MS = 5000;
export const DEFAULT_UNKNOWN_OWNER_MS = 3000;
export const DEFAULT_BUFFER_LIMIT = 10_000;
export const DEFAULT_MAX_FORWARDS = 3;
/** More shards than this only multiplies ownership records: entities per shard would be about one. */
export const MAX_SHARDS = 65_536;

export type ResolvedEntitiesOptions = Readonly<Required<Omit<EntitiesOptions, 'storage'>>> & {
  readonly storage: EntityStorage | undefined;
};

function integer(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new OptionError(name, `must be an integer >= ${min}`);
}

/** Applies defaults and checks every field. */
export function resolveEntitiesOptions(input: EntitiesOptions): ResolvedEntitiesOptions {
  const o = {
    idleMs: DEFAULT_IDLE_MS,
    retryMs: DEFAULT_RETRY_MS,
    activationTimeoutMs: DEFAULT_ACTIVATION_TIMEOUT_MS,
    askTimeoutMs: DEFAULT_ENTITY_ASK_TIMEOUT_MS,
    unknownOwnerMs: DEFAULT_UNKNOWN_OWNER_MS,
    bufferLimit: DEFAULT_BUFFER_LIMIT,
    maxForwards: DEFAULT_MAX_FORWARDS,
    shards: DEFAULT_SHARDS,
    ...input,
    storage: input.storage,
  };
  if (!Array.isArray(o.kinds)) throw new OptionError('kinds', 'must be an array of entity kinds');
  const names = new Set<string>();
  for (const k of o.kinds) {
    if (names.has(k.name)) throw new OptionError('kinds', `kind "${k.name}" is listed twice`);
    names.add(k.name);
    if (k.persist && o.storage === undefined)
      throw new OptionError('storage', `kind "${k.name}" persists its state: a storage is required`);
  }
  integer('idleMs', o.idleMs, 0);
  integer('retryMs', o.retryMs, 1);
  integer('activationTimeoutMs', o.activationTimeoutMs, 1);
  integer('askTimeoutMs', o.askTimeoutMs, 1);
  integer('unknownOwnerMs', o.unknownOwnerMs, 0);
  integer('bufferLimit', o.bufferLimit, 1);
  integer('maxForwards', o.maxForwards, 0);
  integer('shards', o.shards, 1);
  if (o.shards > MAX_SHARDS) throw new OptionError('shards', `must be at most ${MAX_SHARDS}`);
  return Object.freeze(o);
}
