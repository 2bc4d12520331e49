// Errors of the extension seam: frame kinds claimed twice, extensions registered twice, unknown definitions.
import { TroupeError } from '@troupe/transport';

/** A frame kind (or the transit handler) is already claimed on this node, or lies outside 16..255. */
export class FrameKindTakenError extends TroupeError {
  constructor(message: string) {
    super('FRAME_KIND_TAKEN', message);
    this.name = 'FrameKindTakenError';
  }
}

/** A frame kind outside the range the layers above the link may claim (16..255). */
export class InvalidFrameKindError extends TroupeError {
  constructor(message: string) {
    super('INVALID_FRAME_KIND', message);
    this.name = 'InvalidFrameKindError';
  }
}

/** Two extensions of the same name were given to one node. */
export class ExtensionExistsError extends TroupeError {
  constructor(message: string) {
    super('EXTENSION_EXISTS', message);
    this.name = 'ExtensionExistsError';
  }
}

/** A remote spawn named an actor type the target node has not registered. */
export class UnknownActorTypeError extends TroupeError {
  constructor(message: string) {
    super('UNKNOWN_ACTOR_TYPE', message);
    this.name = 'UnknownActorTypeError';
  }
}
