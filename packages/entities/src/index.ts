// @troupe/entities: virtual actors with placement, activation, passivation, handoff and fenced ownership.

export type { EntityCounters, PassivateReason } from './activations.js';
export { CONTROL_ACTOR } from './activations.js';
export type { EntitiesStats } from './entities.js';
export { Entities, entities } from './entities.js';
export {
  EntitiesNotStartedError,
  EntityBufferFullError,
  EntityKindError,
  EntityUnavailableError,
  StaleEpochError,
} from './errors.js';
export type { EntityArgs, EntityKind, EntitySpec } from './kind.js';
export { defineEntity, entityName } from './kind.js';
export type { EntitiesOptions } from './options.js';
export {
  DEFAULT_ACTIVATION_TIMEOUT_MS,
  DEFAULT_BUFFER_LIMIT,
  DEFAULT_ENTITY_ASK_TIMEOUT_MS,
  DEFAULT_IDLE_MS,
  DEFAULT_MAX_FORWARDS,
  DEFAULT_RETRY_MS,
  DEFAULT_UNKNOWN_OWNER_MS,
  MAX_SHARDS,
} from './options.js';
export type { ClaimResult, OwnerRecord } from './ownership.js';
export { OWNERSHIP_PREFIX, Ownership } from './ownership.js';
export { hosts, placement } from './placement.js';
export { DEFAULT_SHARDS, shardOf } from './shards.js';
export type { EntityStorage, Saved } from './storage.js';
export { FileStorage, MemoryStorage } from './storage.js';
