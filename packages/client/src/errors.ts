// The client's error hierarchy: one base class with a string `code`, one subclass per condition.

/** The wire form of an error, as a NOTICE or a failed RESPONSE carries it. */
export interface WireErrorBody {
  code: string;
  message: string;
  data?: unknown;
}

/** Base class of every error the client SDK and its codec raise. `code` is stable and machine-readable. */
export class ClientError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'ClientError';
  }
}

/** Bytes do not follow the client wire protocol; `code` is `FRAME_TOO_LARGE` or `PROTOCOL_ERROR`. */
export class WireProtocolError extends ClientError {
  constructor(code: 'FRAME_TOO_LARGE' | 'PROTOCOL_ERROR', message: string) {
    super(code, message);
    this.name = 'WireProtocolError';
  }
}

/** A value has no msgpack form in this codec (a function, a symbol, a class instance, a cycle...). */
export class UnsupportedValueError extends ClientError {
  constructor(message: string) {
    super('UNSUPPORTED_VALUE', message);
    this.name = 'UnsupportedValueError';
  }
}

/** Bytes are not valid msgpack: truncated, a reserved type byte, an unknown extension, trailing bytes. */
export class MalformedMsgpackError extends ClientError {
  constructor(message: string) {
    super('MALFORMED_MSGPACK', message);
    this.name = 'MalformedMsgpackError';
  }
}

/** A protocol definition is invalid: a duplicate or out-of-range msgId, an unknown rule or codec. */
export class InvalidProtocolError extends ClientError {
  readonly route: string;
  constructor(route: string, message: string) {
    super('INVALID_PROTOCOL', `route ${route}: ${message}`);
    this.name = 'InvalidProtocolError';
    this.route = route;
  }
}

/** A payload does not fit its route's codec (the raw codec takes only bytes; JSON takes only JSON text). */
export class CodecError extends ClientError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CODEC_ERROR', message, options);
    this.name = 'CodecError';
  }
}

/** A client option is invalid; `property` names it. */
export class InvalidOptionError extends ClientError {
  readonly property: string;
  constructor(property: string, message: string) {
    super('INVALID_OPTION', `option ${property}: ${message}`);
    this.name = 'InvalidOptionError';
    this.property = property;
  }
}

/** A request got no response within its timeout (the gateway's own timeout answers with a RemoteError TIMEOUT). */
export class RequestTimeoutError extends ClientError {
  readonly timeoutMs: number;
  constructor(msgId: number, timeoutMs: number) {
    super('TIMEOUT', `no response to msgId ${msgId} in ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** A request's AbortSignal fired before its response came; `cause` is the signal's reason. */
export class RequestAbortedError extends ClientError {
  constructor(msgId: number, reason: unknown) {
    super('ABORTED', `request to msgId ${msgId} aborted`, { cause: reason });
    this.name = 'RequestAbortedError';
  }
}

/** The gateway or a backend answered a request with an error; `code` is the notice or backend error code. */
export class RemoteError extends ClientError {
  readonly data: unknown;
  constructor(code: string, message: string, data?: unknown) {
    super(code, message);
    this.name = 'RemoteError';
    this.data = data;
  }
}

/** The session was lost (a refused resume, or a reconnect without HELLO): what was in flight cannot be answered. */
export class ResumeFailedError extends ClientError {
  constructor(reason: string) {
    super('RESUME_FAILED', `session lost: ${reason}`);
    this.name = 'ResumeFailedError';
  }
}

/** The client is closed (by `close()`, a terminal notice, or reconnect attempts running out). */
export class ConnectionClosedError extends ClientError {
  constructor(reason: string) {
    super('CLOSED', `client closed: ${reason}`);
    this.name = 'ConnectionClosedError';
  }
}

/** The first connection could not be made (refused, timed out, or closed before WELCOME). */
export class ConnectFailedError extends ClientError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('CONNECT_FAILED', `could not connect: ${reason}`, options);
    this.name = 'ConnectFailedError';
  }
}

/** Too many frames wait for a reconnect; `maxQueuedFrames` bounds them. */
export class QueueFullError extends ClientError {
  constructor(limit: number) {
    super('QUEUE_FULL', `queue of ${limit} frames is full`);
    this.name = 'QueueFullError';
  }
}
