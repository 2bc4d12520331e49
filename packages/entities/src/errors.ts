// Entity errors: one class per condition.
import { TroupeError } from '@troupe/transport';

/** An entity could not be activated in time (ownership contested, KV or storage unavailable). */
export class EntityUnavailableError extends TroupeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ENTITY_UNAVAILABLE', message, options);
    this.name = 'EntityUnavailableError';
  }
}

/** Too many messages wait for an entity being activated or handed off. */
export class EntityBufferFullError extends TroupeError {
  constructor(key: string, limit: number) {
    super('ENTITY_BUFFER_FULL', `${limit} messages already wait for entity ${key}`);
    this.name = 'EntityBufferFullError';
  }
}

/** A save carried an older fencing epoch than the stored state: an owner that lost the entity. */
export class StaleEpochError extends TroupeError {
  constructor(key: string, epoch: number, stored: number) {
    super('STALE_EPOCH', `entity ${key}: save with epoch ${epoch} refused, storage holds epoch ${stored}`);
    this.name = 'StaleEpochError';
  }
}

/** An entity kind is used that this node's extension does not know, or is defined twice. */
export class EntityKindError extends TroupeError {
  constructor(message: string) {
    super('ENTITY_KIND', message);
    this.name = 'EntityKindError';
  }
}

/** Entities were used before the extension started on the node, or after it stopped. */
export class EntitiesNotStartedError extends TroupeError {
  constructor() {
    super(
      'ENTITIES_NOT_STARTED',
      'entities are not running on this node (pass them to Node.start({ extensions }))',
    );
    this.name = 'EntitiesNotStartedError';
  }
}
