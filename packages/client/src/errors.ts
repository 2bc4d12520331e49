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
