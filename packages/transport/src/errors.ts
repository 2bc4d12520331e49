// Troupe's error hierarchy: one base class with a string `code`, one subclass per condition.

/** The wire form of an error: what crosses a link in a reply or a refusal. */
export interface WireError {
  code: string;
  message: string;
  data?: unknown;
}

/** Base class of every error Troupe raises. `code` is stable and machine-readable. */
export class TroupeError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'TroupeError';
  }

  /** The `{code, message}` form sent over the wire. */
  toWire(): WireError {
    return { code: this.code, message: this.message };
  }
}

/** A logical address string or part is malformed or out of range. */
export class InvalidAddressError extends TroupeError {
  readonly part: 'group' | 'type' | 'process' | 'format';
  constructor(part: 'group' | 'type' | 'process' | 'format', message: string) {
    super('INVALID_ADDRESS', message);
    this.name = 'InvalidAddressError';
    this.part = part;
  }
}

/** A frame is larger than the configured maximum; refused on send, and closes the link on receive. */
export class FrameTooLargeError extends TroupeError {
  readonly size: number;
  readonly limit: number;
  constructor(size: number, limit: number) {
    super('FRAME_TOO_LARGE', `frame of ${size} bytes exceeds the limit of ${limit} bytes`);
    this.name = 'FrameTooLargeError';
    this.size = size;
    this.limit = limit;
  }
}

/** Bytes on a link do not follow the protocol (bad header, unknown kind, garbage before the handshake). */
export class ProtocolError extends TroupeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROTOCOL_ERROR', message, options);
    this.name = 'ProtocolError';
  }
}

/** The stream ended in the middle of a frame. */
export class TruncatedFrameError extends TroupeError {
  constructor(missing: number) {
    super('TRUNCATED_FRAME', `stream ended ${missing} bytes short of a complete frame`);
    this.name = 'TruncatedFrameError';
  }
}

/** A frame body could not be decoded. */
export class DecodeError extends TroupeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DECODE_ERROR', message, options);
    this.name = 'DecodeError';
  }
}

/**
 * The handshake failed: wrong secret, cluster id, protocol version or address. `rejectCode` is the
 * refusal's code (`BAD_SECRET`, `CLUSTER`, `VERSION`, `ADDRESS`, `ADDRESS_IN_USE`, `PROTOCOL`, ...) or
 * `TIMEOUT` when the peer never finished; `byPeer` says whether the peer refused us or we refused it.
 */
export class HandshakeError extends TroupeError {
  readonly rejectCode: string;
  readonly byPeer: boolean;
  constructor(message: string, rejectCode = 'UNKNOWN', byPeer = false, options?: { cause?: unknown }) {
    super('HANDSHAKE_FAILED', message, options);
    this.name = 'HandshakeError';
    this.rejectCode = rejectCode;
    this.byPeer = byPeer;
  }

  override toWire(): WireError {
    return { code: this.code, message: this.message, data: { rejectCode: this.rejectCode } };
  }
}

/** Matches the reason a refused handshake is reported with (`... refused ...: CODE: why`). */
const REFUSAL = /(?:refused by peer|handshake refused): ([A-Z_]+):/;

/**
 * The handshake refusal behind `err`, if any: the `rejectCode` of a `HandshakeError` found on `err` or
 * its `cause` chain, else the code named in a refusal reason that a wrapping error quotes (the runtime's
 * `NodeDownError` carries the link's down reason as text). Routine refusals (`DUPLICATE`, `CLOSING`) are
 * not failures and give undefined.
 */
export function handshakeRefusal(err: unknown): string | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = e instanceof HandshakeError ? e.rejectCode : REFUSAL.exec(e.message)?.[1];
    if (code !== undefined) return code === 'DUPLICATE' || code === 'CLOSING' ? undefined : code;
  }
  return undefined;
}

/** Too many messages are waiting for a link that is not up yet. */
export class PendingQueueFullError extends TroupeError {
  constructor(peer: string, limit: number) {
    super('PENDING_QUEUE_FULL', `pending queue to ${peer} is full (${limit} messages)`);
    this.name = 'PendingQueueFullError';
  }
}

/** The peer node is down (or was declared down) so the message cannot be delivered. */
export class NodeDownError extends TroupeError {
  constructor(peer: string, reason: string) {
    super('NODE_DOWN', `node ${peer} is down: ${reason}`);
    this.name = 'NodeDownError';
  }
}

/** The transport or node has been closed. */
export class ClosedError extends TroupeError {
  constructor(what: string) {
    super('CLOSED', `${what} is closed`);
    this.name = 'ClosedError';
  }
}

/** An option has an invalid value; names the property. */
export class OptionError extends TroupeError {
  constructor(property: string, message: string) {
    super('INVALID_OPTION', `option ${property}: ${message}`);
    this.name = 'OptionError';
  }
}

/** Too many bytes are queued for one socket (the peer reads slower than we send). */
export class OutboundBufferFullError extends TroupeError {
  readonly queued: number;
  readonly limit: number;
  constructor(peer: string, queued: number, limit: number) {
    super(
      'OUTBOUND_BUFFER_FULL',
      `outbound buffer to ${peer} is full (${queued} bytes queued, limit ${limit})`,
    );
    this.name = 'OutboundBufferFullError';
    this.queued = queued;
    this.limit = limit;
  }
}
