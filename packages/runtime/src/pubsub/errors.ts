// Pub/sub errors.
import { TroupeError } from '@troupe/transport';

/** A topic name is empty, not a string, or longer than `maxTopicLength`. */
export class InvalidTopicError extends TroupeError {
  constructor(message: string) {
    super('INVALID_TOPIC', message);
    this.name = 'InvalidTopicError';
  }
}

/** A pub/sub call was made before the extension started on a node, or after it stopped. */
export class PubSubNotStartedError extends TroupeError {
  constructor() {
    super(
      'PUBSUB_NOT_STARTED',
      'pub/sub is not running on this node (pass it to Node.start({ extensions }))',
    );
    this.name = 'PubSubNotStartedError';
  }
}
