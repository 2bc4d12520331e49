// Client options: defaults (centrifuge-js and socket.io-client's), merging and validation.

import { InvalidOptionError } from './errors.js';
import type { AnyProtocol } from './protocol.js';
import type { WebSocketConstructor } from './websocket.js';

/** Reconnect policy: full-jitter exponential backoff between attempts. */
export interface ReconnectOptions {
  /** Reconnect after an unexpected drop (default true). */
  enabled: boolean;
  /** Smallest delay before an attempt (default 500 ms, centrifuge-js `minReconnectDelay`). */
  minDelayMs: number;
  /** Largest delay before an attempt (default 20,000 ms, centrifuge-js `maxReconnectDelay`). */
  maxDelayMs: number;
  /** Attempts per outage before giving up and closing (default Infinity, socket.io-client `reconnectionAttempts`). */
  maxAttempts: number;
}

/** Options of `connect`. Every limit and timeout is here so tests can shrink them. */
export interface ClientOptions<P extends AnyProtocol = AnyProtocol> {
  /** The protocol definition: gives `client.call.x`, `client.send.x`, `client.on.x`. */
  protocol: P | undefined;
  /** The WebSocket class for `ws://` URLs when `globalThis.WebSocket` is missing (Node 20: pass `ws`'s). */
  WebSocket: WebSocketConstructor | undefined;
  /** Send HELLO first (default true): sessions get a resume token. False speaks the plain, zinx-style protocol. */
  hello: boolean;
  /** A login ticket for the first HELLO (single use; resumes do not need it). */
  ticket: string | undefined;
  /** How long a connection attempt may take until WELCOME (default 5,000 ms, centrifuge-js `timeout`). */
  connectTimeoutMs: number;
  /** Default timeout of `request`/`call` (default 10,000 ms). */
  requestTimeoutMs: number;
  /** Heartbeat period; undefined takes WELCOME's `heartbeatMs` (or 25,000 ms without HELLO). */
  heartbeatMs: number | undefined;
  /** Server silence tolerated past one heartbeat period before the link counts as dead (default 10,000 ms,
   *  centrifuge-js `maxServerPingDelay`). */
  maxServerDelayMs: number;
  /** Largest frame payload accepted from the server (default 16 MiB). */
  maxPayload: number;
  /** Frames that may wait while reconnecting (default 1,000); past it `send`/`request` throw QueueFullError. */
  maxQueuedFrames: number;
  reconnect: ReconnectOptions;
}

/** What `connect` accepts: any subset, `reconnect` merged field by field. */
export type ConnectOptions<P extends AnyProtocol = AnyProtocol> = Partial<
  Omit<ClientOptions<P>, 'reconnect'>
> & {
  reconnect?: Partial<ReconnectOptions> | boolean;
};

export const DEFAULT_RECONNECT_OPTIONS: Readonly<ReconnectOptions> = Object.freeze({
  enabled: true,
  minDelayMs: 500,
  maxDelayMs: 20_000,
  maxAttempts: Infinity,
});

export const DEFAULT_HEARTBEAT_MS = 25_000;

export const DEFAULT_CLIENT_OPTIONS: Readonly<ClientOptions> = Object.freeze({
  protocol: undefined,
  WebSocket: undefined,
  hello: true,
  ticket: undefined,
  connectTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  heartbeatMs: undefined,
  maxServerDelayMs: 10_000,
  maxPayload: 16 * 1024 * 1024,
  maxQueuedFrames: 1_000,
  reconnect: DEFAULT_RECONNECT_OPTIONS,
});

function positive(property: string, value: number | undefined, allowInfinity = false): void {
  if (value === undefined) return;
  const ok = allowInfinity && value === Infinity ? true : Number.isInteger(value) && value > 0;
  if (!ok) throw new InvalidOptionError(property, `must be a positive integer, got ${String(value)}`);
}

/** Merges user options over the defaults, validates them naming the property, and freezes the result. */
export function resolveOptions<P extends AnyProtocol>(
  user: ConnectOptions<P> = {},
): Readonly<ClientOptions<P>> {
  const reconnect =
    typeof user.reconnect === 'boolean'
      ? { ...DEFAULT_RECONNECT_OPTIONS, enabled: user.reconnect }
      : { ...DEFAULT_RECONNECT_OPTIONS, ...user.reconnect };
  const options = {
    ...DEFAULT_CLIENT_OPTIONS,
    ...user,
    reconnect: Object.freeze(reconnect),
  } as ClientOptions<P>;
  for (const key of [
    'connectTimeoutMs',
    'requestTimeoutMs',
    'heartbeatMs',
    'maxServerDelayMs',
    'maxPayload',
  ] as const) {
    positive(key, options[key]);
  }
  positive('maxQueuedFrames', options.maxQueuedFrames, true);
  positive('reconnect.minDelayMs', reconnect.minDelayMs);
  positive('reconnect.maxDelayMs', reconnect.maxDelayMs);
  positive('reconnect.maxAttempts', reconnect.maxAttempts, true);
  if (reconnect.maxDelayMs < reconnect.minDelayMs) {
    throw new InvalidOptionError('reconnect.maxDelayMs', 'must be >= minDelayMs');
  }
  if (options.ticket !== undefined && !options.hello) {
    throw new InvalidOptionError('ticket', 'needs hello: true');
  }
  return Object.freeze(options);
}
