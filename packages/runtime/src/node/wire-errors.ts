// Maps errors from their wire form `{code, message}` back to the named error classes.
import {
  NodeDownError,
  OutboundBufferFullError,
  PendingQueueFullError,
  TroupeError,
  type WireError,
} from '@troupe/transport';
import {
  ActorNotFoundError,
  ActorStoppedError,
  MailboxFullError,
  RemoteError,
  TimeoutError,
  UnknownHandlerError,
  UnreachableError,
} from '../errors.js';

const byCode: Record<string, (w: WireError) => TroupeError> = {
  ACTOR_NOT_FOUND: (w) => new ActorNotFoundError(w.message),
  UNKNOWN_HANDLER: (w) => new UnknownHandlerError(w.message),
  MAILBOX_FULL: (w) => new MailboxFullError(w.message),
  ACTOR_STOPPED: (w) => new ActorStoppedError(w.message),
  UNREACHABLE: (w) => new UnreachableError(w.message),
  TIMEOUT: (w) => new TimeoutError(w.message),
  NODE_DOWN: (w) => Object.assign(new NodeDownError('?', ''), { message: w.message }),
  PENDING_QUEUE_FULL: (w) => Object.assign(new PendingQueueFullError('?', 0), { message: w.message }),
  OUTBOUND_BUFFER_FULL: (w) => Object.assign(new OutboundBufferFullError('?', 0, 0), { message: w.message }),
  FRAME_TOO_LARGE: (w) => new TroupeError('FRAME_TOO_LARGE', w.message),
};

/** A runtime error from the wire becomes its class; a handler's error becomes `RemoteError`. */
export function fromWire(wire: WireError, thrown: boolean): Error {
  if (!thrown) {
    const make = byCode[wire.code];
    if (make !== undefined) return make(wire);
  }
  return new RemoteError(wire);
}

/** Validates an untrusted wire error. */
export function asWireError(value: unknown): WireError {
  if (typeof value === 'object' && value !== null) {
    const v = value as Record<string, unknown>;
    const out: WireError = {
      code: typeof v.code === 'string' ? v.code : 'UNKNOWN',
      message: typeof v.message === 'string' ? v.message : 'remote error',
    };
    if (v.data !== undefined) out.data = v.data;
    return out;
  }
  return { code: 'UNKNOWN', message: String(value) };
}
