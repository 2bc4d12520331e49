// Stream errors: one class per way a stream can fail.
import { TroupeError } from '@troupe/transport';

/** The peer reset the stream (or refused to open it); `code` is the peer's reason code. */
export class StreamResetError extends TroupeError {
  constructor(code: string, message: string) {
    super(code, `stream reset by peer: ${message}`);
    this.name = 'StreamResetError';
  }
}

/** The peer broke the stream protocol (data past its credit, data after its FIN); the stream is reset. */
export class StreamProtocolError extends TroupeError {
  constructor(message: string) {
    super('STREAM_PROTOCOL_ERROR', message);
    this.name = 'StreamProtocolError';
  }
}

/** A link already carries `maxStreamsPerLink` streams. */
export class TooManyStreamsError extends TroupeError {
  constructor(peer: string, limit: number) {
    super('TOO_MANY_STREAMS', `the link to ${peer} already carries ${limit} streams`);
    this.name = 'TooManyStreamsError';
  }
}

/** Streams were used before the extension started on the node, or after it stopped. */
export class StreamsNotStartedError extends TroupeError {
  constructor() {
    super(
      'STREAMS_NOT_STARTED',
      'streams are not running on this node (pass them to Node.start({ extensions }))',
    );
    this.name = 'StreamsNotStartedError';
  }
}
