// Maps errors from their wire form `{code, message, data?}` back to their own classes: a runtime or
// transport verdict becomes its named error; only a handler's own rejection becomes `RemoteError`.
import {
  ClosedError,
  DecodeError,
  FrameTooLargeError,
  InvalidAddressError,
  NodeDownError,
  OptionError,
  OutboundBufferFullError,
  PendingQueueFullError,
  ProtocolError,
  type TroupeError,
  TruncatedFrameError,
  type WireError,
} from '@troupe/transport';
import {
  AbortError,
  ActorExistsError,
  ActorNotFoundError,
  ActorStoppedError,
  EncodeError,
  InvalidActorNameError,
  MailboxFullError,
  NoMemberError,
  RegistrationError,
  RemoteError,
  TimeoutError,
  UnknownHandlerError,
  UnreachableError,
} from '../errors.js';

/** Builds the class of `code` with the remote message (constructors that compose one are bypassed). */
function as<E extends TroupeError>(make: () => E): (w: WireError) => E {
  return (w) => Object.assign(make(), { message: w.message });
}

function num(data: unknown, key: string): number {
  const v = (data as Record<string, unknown> | null | undefined)?.[key];
  return typeof v === 'number' ? v : 0;
}

const byCode: Record<string, (w: WireError) => TroupeError> = {
  ACTOR_NOT_FOUND: (w) => new ActorNotFoundError(w.message),
  UNKNOWN_HANDLER: (w) => new UnknownHandlerError(w.message),
  MAILBOX_FULL: (w) => new MailboxFullError(w.message),
  ACTOR_STOPPED: (w) => new ActorStoppedError(w.message),
  ACTOR_EXISTS: (w) => new ActorExistsError(w.message),
  INVALID_ACTOR_NAME: (w) => new InvalidActorNameError(w.message),
  UNREACHABLE: (w) => new UnreachableError(w.message),
  TIMEOUT: (w) => new TimeoutError(w.message),
  ABORTED: (w) => new AbortError(w.message),
  NO_MEMBER: (w) => new NoMemberError(w.message),
  REGISTRATION_REFUSED: (w) => new RegistrationError(w.message),
  ENCODE_ERROR: (w) => new EncodeError(w.message),
  DECODE_ERROR: (w) => new DecodeError(w.message),
  PROTOCOL_ERROR: (w) => new ProtocolError(w.message),
  INVALID_OPTION: as(() => new OptionError('?', '')),
  INVALID_ADDRESS: (w) => new InvalidAddressError('format', w.message),
  TRUNCATED_FRAME: as(() => new TruncatedFrameError(0)),
  CLOSED: as(() => new ClosedError('?')),
  NODE_DOWN: as(() => new NodeDownError('?', '')),
  PENDING_QUEUE_FULL: as(() => new PendingQueueFullError('?', 0)),
  OUTBOUND_BUFFER_FULL: (w) =>
    Object.assign(new OutboundBufferFullError('?', num(w.data, 'queued'), num(w.data, 'limit')), {
      message: w.message,
    }),
  FRAME_TOO_LARGE: (w) =>
    Object.assign(new FrameTooLargeError(num(w.data, 'size'), num(w.data, 'limit')), { message: w.message }),
};

/** The codes that map back to a class of their own (the rest arrive as `RemoteError`). */
export const MAPPED_CODES: readonly string[] = Object.freeze(Object.keys(byCode));

/**
 * A runtime or transport error from the wire becomes its class; a handler's error (`thrown`) always
 * becomes `RemoteError`, whatever its code, as does a runtime code without a class.
 */
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
