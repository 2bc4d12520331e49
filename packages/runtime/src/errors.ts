// Runtime errors. Transport-level errors (NodeDownError, PendingQueueFullError, ...) are re-exported.
import { TroupeError, type WireError } from '@troupe/transport';

/** An ask passed its deadline without a reply. */
export class TimeoutError extends TroupeError {
  constructor(message: string) {
    super('TIMEOUT', message);
    this.name = 'TimeoutError';
  }
}

/** An ask was aborted through its `AbortSignal`. */
export class AbortError extends TroupeError {
  constructor(message = 'the ask was aborted', options?: { cause?: unknown }) {
    super('ABORTED', message, options);
    this.name = 'AbortError';
  }
}

/** No actor of that name lives on the target node. */
export class ActorNotFoundError extends TroupeError {
  constructor(message: string) {
    super('ACTOR_NOT_FOUND', message);
    this.name = 'ActorNotFoundError';
  }
}

/** The target actor has no handler of that name. */
export class UnknownHandlerError extends TroupeError {
  constructor(message: string) {
    super('UNKNOWN_HANDLER', message);
    this.name = 'UnknownHandlerError';
  }
}

/** The actor's mailbox is at its limit. */
export class MailboxFullError extends TroupeError {
  constructor(message: string) {
    super('MAILBOX_FULL', message);
    this.name = 'MailboxFullError';
  }
}

/** A remote handler threw; carries the remote `code` and `message`. */
export class RemoteError extends TroupeError {
  readonly data?: unknown;
  constructor(wire: WireError) {
    super(wire.code, wire.message);
    this.name = 'RemoteError';
    if (wire.data !== undefined) this.data = wire.data;
  }
}

/** No route reaches the target (no harbor, unknown group, hop limit). */
export class UnreachableError extends TroupeError {
  constructor(message: string) {
    super('UNREACHABLE', message);
    this.name = 'UnreachableError';
  }
}

/** `pick` found no available member of the requested type. */
export class NoMemberError extends TroupeError {
  constructor(message: string) {
    super('NO_MEMBER', message);
    this.name = 'NoMemberError';
  }
}

/** A membership registration was refused (bad address, address held by a live node, ...). */
export class RegistrationError extends TroupeError {
  constructor(message: string) {
    super('REGISTRATION_REFUSED', message);
    this.name = 'RegistrationError';
  }
}

/** An actor name is already taken on this node. */
export class ActorExistsError extends TroupeError {
  constructor(message: string) {
    super('ACTOR_EXISTS', message);
    this.name = 'ActorExistsError';
  }
}

/** The actor stopped before handling the message. */
export class ActorStoppedError extends TroupeError {
  constructor(message: string) {
    super('ACTOR_STOPPED', message);
    this.name = 'ActorStoppedError';
  }
}

/**
 * Thrown by a handler to reject an ask with a chosen `code`, `message` and `data`: the caller gets a
 * `RemoteError` carrying the three, and the actor keeps its state (a rejected request is not a failure).
 */
export class ReplyError extends TroupeError {
  readonly data?: unknown;
  constructor(code: string, message: string, data?: unknown) {
    super(code, message);
    this.name = 'ReplyError';
    if (data !== undefined) this.data = data;
  }
}

/** An actor name the wire cannot carry (empty, or over 255 UTF-8 bytes), refused at `spawn`. */
export class InvalidActorNameError extends TroupeError {
  constructor(message: string) {
    super('INVALID_ACTOR_NAME', message);
    this.name = 'InvalidActorNameError';
  }
}

/** A membership KV request with a bad key or value; the store is unchanged. */
export class KvInputError extends TroupeError {
  constructor(message: string) {
    super('KV_INVALID', message);
    this.name = 'KvInputError';
  }
}

/**
 * The wire form of what a handler threw: a string `code` it carries (else `HANDLER_ERROR`), its
 * message, and the `data` of a `ReplyError`.
 */
export function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const wire: WireError = { code: typeof code === 'string' ? code : 'HANDLER_ERROR', message: err.message };
    if (err instanceof ReplyError && err.data !== undefined) wire.data = err.data;
    return wire;
  }
  return { code: 'HANDLER_ERROR', message: String(err) };
}
