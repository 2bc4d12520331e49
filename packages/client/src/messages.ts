// The protocol's own messages (HELLO, WELCOME, NOTICE, error bodies): their shapes, codes and checked decoding.

import { WireProtocolError } from './errors.js';
import { pack, unpack } from './msgpack.js';

/** Notice codes the gateway sends (docs/client-protocol.md is the reference; the gateway may add more). */
export const NoticeCode = {
  Blocked: 'BLOCKED',
  Unauthorized: 'UNAUTHORIZED',
  FrameTooLarge: 'FRAME_TOO_LARGE',
  ProtocolError: 'PROTOCOL_ERROR',
  Kicked: 'KICKED',
  Replaced: 'REPLACED',
  DuplicateLogin: 'DUPLICATE_LOGIN',
  GoingAway: 'GOING_AWAY',
  SlowClient: 'SLOW_CLIENT',
  IdleTimeout: 'IDLE_TIMEOUT',
  ResumeFailed: 'RESUME_FAILED',
  TicketInvalid: 'TICKET_INVALID',
  TicketExpired: 'TICKET_EXPIRED',
  TicketReused: 'TICKET_REUSED',
  TicketWrongGateway: 'TICKET_WRONG_GATEWAY',
  BackendUnavailable: 'BACKEND_UNAVAILABLE',
  BackendError: 'BACKEND_ERROR',
  Timeout: 'TIMEOUT',
  TooManyRequests: 'TOO_MANY_REQUESTS',
} as const;

/** The protocol version HELLO carries. */
export const PROTOCOL_VERSION = 1;

/** NOTICE payload, and the body of a RESPONSE with status 1. */
export interface Notice {
  code: string;
  message: string;
  data?: unknown;
}

/** HELLO payload: the client's optional first frame. */
export interface Hello {
  v: number;
  ticket?: string;
  resume?: string;
  received?: number;
}

/** WELCOME payload: the gateway's answer to HELLO. */
export interface Welcome {
  session: string;
  token: string;
  resumed: boolean;
  heartbeatMs: number;
  idleMs: number;
  maxFrame: number;
  uid?: string;
  reason?: string;
}

function record(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = unpack(bytes);
  } catch (err) {
    throw new WireProtocolError('PROTOCOL_ERROR', `${what} is not msgpack: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new WireProtocolError('PROTOCOL_ERROR', `${what} is not a map`);
  }
  return value as Record<string, unknown>;
}

function field(
  map: Record<string, unknown>,
  what: string,
  key: string,
  type: string,
  optional = false,
): void {
  const v = map[key];
  if (v === undefined && optional) return;
  const ok = type === 'count' ? Number.isSafeInteger(v) && (v as number) >= 0 : typeof v === type;
  if (!ok) throw new WireProtocolError('PROTOCOL_ERROR', `${what}.${key} must be a ${type}`);
}

/** Encodes any of the protocol's msgpack maps (HELLO, WELCOME, NOTICE, error bodies). */
export function encodeMessage(message: Hello | Welcome | Notice): Uint8Array {
  return pack(message);
}

/** Decodes and checks a NOTICE payload (or a status-1 RESPONSE body); throws PROTOCOL_ERROR when malformed. */
export function decodeNotice(bytes: Uint8Array): Notice {
  const m = record(bytes, 'NOTICE');
  field(m, 'NOTICE', 'code', 'string');
  field(m, 'NOTICE', 'message', 'string');
  const notice: Notice = { code: m.code as string, message: m.message as string };
  if (m.data !== undefined) notice.data = m.data;
  return notice;
}

/** Decodes and checks a HELLO payload; throws PROTOCOL_ERROR when malformed. */
export function decodeHello(bytes: Uint8Array): Hello {
  const m = record(bytes, 'HELLO');
  field(m, 'HELLO', 'v', 'count');
  field(m, 'HELLO', 'ticket', 'string', true);
  field(m, 'HELLO', 'resume', 'string', true);
  field(m, 'HELLO', 'received', 'count', true);
  return m as unknown as Hello;
}

/** Decodes and checks a WELCOME payload; throws PROTOCOL_ERROR when malformed. */
export function decodeWelcome(bytes: Uint8Array): Welcome {
  const m = record(bytes, 'WELCOME');
  field(m, 'WELCOME', 'session', 'string');
  field(m, 'WELCOME', 'token', 'string');
  field(m, 'WELCOME', 'resumed', 'boolean');
  field(m, 'WELCOME', 'heartbeatMs', 'count');
  field(m, 'WELCOME', 'idleMs', 'count');
  field(m, 'WELCOME', 'maxFrame', 'count');
  field(m, 'WELCOME', 'uid', 'string', true);
  field(m, 'WELCOME', 'reason', 'string', true);
  return m as unknown as Welcome;
}
