// Transport options: defaults, cross-field checks, resolved once and frozen.
import type { SecureContextOptions } from 'node:tls';
import { type Logger, pino } from 'pino';
import { Addr } from './addr.js';
import { OptionError } from './errors.js';
import { DEFAULT_MAX_FRAME_SIZE, HEADER_SIZE } from './frame.js';
import { DEFAULT_READ_BUFFER_SIZE, MIN_READ_BUFFER_SIZE } from './frame-reader.js';

/** Frames that may wait for a link to come up. */
export const DEFAULT_PENDING_LIMIT = 1024;
/** A peer silent for this long is declared down. */
export const DEFAULT_DOWN_TIMEOUT_MS = 2000;
/** First reconnect delay after a failed dial; doubles per consecutive failure. */
export const DEFAULT_RECONNECT_BASE_MS = 50;
/** Largest reconnect delay. */
export const DEFAULT_RECONNECT_MAX_MS = 2000;
/** Bytes queued for one socket before `send` refuses with `OutboundBufferFullError`. */
export const DEFAULT_MAX_OUTBOUND_BYTES = 64 * 1024 * 1024;
/** A turn's batch is written early once it holds this many bytes. */
export const DEFAULT_FLUSH_BYTES = 64 * 1024;
/** ... or this many, once it holds a prompt frame (a request or a reply someone waits for). */
export const DEFAULT_PROMPT_FLUSH_BYTES = 4 * 1024;
/** Default listening host. */
export const DEFAULT_LISTEN_HOST = '127.0.0.1';
/** Largest frame a connection may send before it is authenticated (the handshake needs a few hundred bytes). */
export const DEFAULT_MAX_HANDSHAKE_FRAME_SIZE = 1024;
/** Inbound connections allowed to be handshaking at once; more are closed on accept. */
export const DEFAULT_MAX_HANDSHAKES = 128;
/** Refused handshakes are logged once per this interval, with a count. */
export const DEFAULT_REFUSAL_LOG_INTERVAL_MS = 10_000;
/** Bytes queued for a peer past which `writable(peer)` is false until they drain. */
export const DEFAULT_WRITE_HIGH_WATER_MARK = 1024 * 1024;
/** A link that is down with nothing queued is released after this long. */
export const DEFAULT_LINK_IDLE_RELEASE_MS = 60_000;
/** The largest delay a Node.js timer takes. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/**
 * TLS on cluster links (`node:tls`) with mutual certificates: both ends present a certificate signed by
 * `ca`. `key`, `cert` and `ca` are PEM; any other `SecureContextOptions` (ciphers, `minVersion`, ...) pass
 * through. Certificates authenticate the node as a cluster member; the HMAC handshake still binds its
 * address.
 */
export interface TlsCertificates extends SecureContextOptions {
  key: NonNullable<SecureContextOptions['key']>;
  cert: NonNullable<SecureContextOptions['cert']>;
  ca: NonNullable<SecureContextOptions['ca']>;
  /**
   * Check the peer certificate's host name against the dialled host. Default false: cluster certificates
   * name nodes, not the IPs they are dialled at; the CA and the HMAC proof authenticate the peer.
   */
  verifyHostname?: boolean;
  psk?: undefined;
}

/**
 * TLS with a pre-shared key instead of certificates (TLS 1.2 PSK cipher suites): every node of the
 * cluster holds the same `identity` and `key` (at least 16 random bytes).
 */
export interface TlsPreSharedKey {
  psk: { identity: string; key: Uint8Array };
}

/** TLS on every link: mutual certificates, or a pre-shared key. */
export type TlsOptions = TlsCertificates | TlsPreSharedKey;

/** Where a peer listens. */
export interface PeerEndpoint {
  host: string;
  port: number;
}

/** Options of `TcpTransport.start`. Every limit and timeout is here so tests can shrink them. */
export interface TransportOptions {
  /** This node's address. */
  addr: Addr;
  clusterId: string;
  /** Shared cluster secret; only HMAC proofs derived from it cross the wire. */
  secret: string | Uint8Array;
  /** This node's incarnation (start time + random); tells a restarted node from the old one. */
  incarnation: string;
  /** Default 127.0.0.1, port 0; the real port is reported by `TcpTransport.port`. */
  listen?: { host?: string; port?: number };
  /** Address book: where to dial a peer. Called at every dial attempt (so a restarted peer on a new port is found). */
  resolve: (peer: Addr) => PeerEndpoint | undefined;
  logger?: Logger;
  /** Largest frame, header included. Default `DEFAULT_MAX_FRAME_SIZE` (4 MiB). */
  maxFrameSize?: number;
  /** Frames waiting for a link to come up, per peer. Default 1024. */
  pendingLimit?: number;
  /** A peer silent for longer is declared down. Default 2000. */
  downTimeoutMs?: number;
  /** Default `downTimeoutMs / 4`. */
  heartbeatIntervalMs?: number;
  /** Default `downTimeoutMs`. */
  handshakeTimeoutMs?: number;
  /** Default `downTimeoutMs`. */
  connectTimeoutMs?: number;
  /** Default 50; exponential with factor 2 and +-20% jitter. */
  reconnectBaseMs?: number;
  /** Default 2000. */
  reconnectMaxMs?: number;
  /**
   * Socket high-water mark in bytes (Node applies it to both directions): how much a paused socket
   * reads ahead before TCP flow control pushes back on the peer. Default: Node's.
   */
  readHighWaterMark?: number;
  /**
   * Largest buffer a plain TCP link reads into (TLS links read as Node hands them data). Reads land in
   * buffers of the link's own, from 64 KiB growing to this while the peer sends large frames in bulk,
   * and frames are handed on as views of them: a receiver that keeps a view (a stream reader keeping a
   * chunk) keeps that buffer alive. Default 1 MiB; at least 64 KiB.
   */
  readBufferSize?: number;
  /** Bytes queued for one socket before `send` throws `OutboundBufferFullError`. Default 64 MiB. */
  maxOutboundBytes?: number;
  /**
   * A turn's batch is written as soon as it holds this many bytes instead of at the end of the turn,
   * so the peer starts on it while this side goes on producing. Default 64 KiB.
   */
  flushBytes?: number;
  /**
   * The same threshold for batches holding a prompt frame (`send(..., prompt = true)`: requests and
   * replies that someone waits for), so request/reply traffic pipelines. Default 4 KiB.
   */
  promptFlushBytes?: number;
  /**
   * Largest frame a connection may send before its handshake completes (header included). Bounds what
   * an unauthenticated peer can make this node buffer or decode. Default 1024.
   */
  maxHandshakeFrameSize?: number;
  /** Inbound connections handshaking at once; further ones are closed on accept and counted. Default 128. */
  maxHandshakes?: number;
  /** Refused handshakes are logged once (the first) plus one summary line per interval. Default 10 s. */
  refusalLogIntervalMs?: number;
  /** Bytes queued for a peer past which `writable(peer)` turns false until `drain`. Default 1 MiB. */
  writeHighWaterMark?: number;
  /** A link down with nothing queued for this long is forgotten (its object released). Default 60 s. */
  linkIdleReleaseMs?: number;
  /** TLS on every link, both directions, with mutual certificates. Default: plain TCP. */
  tls?: TlsOptions;
}

/** Options after defaults and checks. */
export interface ResolvedOptions {
  readonly addr: Addr;
  readonly addrText: string;
  readonly clusterId: string;
  readonly secretKey: Buffer;
  readonly incarnation: string;
  readonly listenHost: string;
  readonly listenPort: number;
  readonly resolve: (peer: Addr) => PeerEndpoint | undefined;
  readonly logger: Logger;
  readonly maxFrameSize: number;
  readonly pendingLimit: number;
  readonly downTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly handshakeTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly reconnectBaseMs: number;
  readonly reconnectMaxMs: number;
  readonly readHighWaterMark: number | undefined;
  readonly readBufferSize: number;
  readonly maxOutboundBytes: number;
  readonly flushBytes: number;
  readonly promptFlushBytes: number;
  readonly maxHandshakeFrameSize: number;
  readonly maxHandshakes: number;
  readonly refusalLogIntervalMs: number;
  readonly writeHighWaterMark: number;
  readonly linkIdleReleaseMs: number;
  readonly tls: Readonly<TlsOptions> | undefined;
}

function positive(property: string, value: number, integer = false): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value <= 0 ||
    (integer && !Number.isInteger(value))
  ) {
    throw new OptionError(property, `must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
  }
  return value;
}

/** A timeout or interval: finite, 1 ms .. 2^31-1 ms (what a Node.js timer can wait). */
export function duration(property: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > MAX_DURATION_MS) {
    throw new OptionError(property, `must be a duration of 1..${MAX_DURATION_MS} ms, got ${value}`);
  }
  return value;
}

function nonEmpty(property: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new OptionError(property, 'must be a non-empty string');
  }
  return value;
}

function readBufferSize(value: number): number {
  positive('readBufferSize', value, true);
  if (value < MIN_READ_BUFFER_SIZE) {
    throw new OptionError('readBufferSize', `must be at least ${MIN_READ_BUFFER_SIZE}, got ${value}`);
  }
  return value;
}

/** Applies defaults, checks every field and the relations between them, and freezes the result. */
export function resolveOptions(user: TransportOptions): ResolvedOptions {
  if (user === null || typeof user !== 'object') throw new OptionError('options', 'must be an object');
  let addr: Addr;
  try {
    addr = Addr.from(user.addr);
  } catch (err) {
    throw new OptionError('addr', (err as Error).message);
  }
  const clusterId = nonEmpty('clusterId', user.clusterId);
  const incarnation = nonEmpty('incarnation', user.incarnation);
  const secret = user.secret;
  if (!(typeof secret === 'string' || secret instanceof Uint8Array) || secret.length === 0) {
    throw new OptionError('secret', 'must be a non-empty string or Uint8Array');
  }
  if (typeof user.resolve !== 'function') throw new OptionError('resolve', 'must be a function');

  const downTimeoutMs = duration('downTimeoutMs', user.downTimeoutMs ?? DEFAULT_DOWN_TIMEOUT_MS);
  const heartbeatIntervalMs = duration('heartbeatIntervalMs', user.heartbeatIntervalMs ?? downTimeoutMs / 4);
  if (heartbeatIntervalMs >= downTimeoutMs) {
    throw new OptionError(
      'heartbeatIntervalMs',
      `must be less than downTimeoutMs (${downTimeoutMs}), got ${heartbeatIntervalMs}`,
    );
  }
  const reconnectBaseMs = duration('reconnectBaseMs', user.reconnectBaseMs ?? DEFAULT_RECONNECT_BASE_MS);
  const reconnectMaxMs = duration('reconnectMaxMs', user.reconnectMaxMs ?? DEFAULT_RECONNECT_MAX_MS);
  if (reconnectMaxMs < reconnectBaseMs) {
    throw new OptionError(
      'reconnectMaxMs',
      `must be at least reconnectBaseMs (${reconnectBaseMs}), got ${reconnectMaxMs}`,
    );
  }
  const maxFrameSize = positive('maxFrameSize', user.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE, true);
  if (maxFrameSize < HEADER_SIZE) {
    throw new OptionError(
      'maxFrameSize',
      `must be at least the header size ${HEADER_SIZE}, got ${maxFrameSize}`,
    );
  }
  const maxOutboundBytes = positive(
    'maxOutboundBytes',
    user.maxOutboundBytes ?? DEFAULT_MAX_OUTBOUND_BYTES,
    true,
  );
  if (maxOutboundBytes < maxFrameSize) {
    throw new OptionError(
      'maxOutboundBytes',
      `must be at least maxFrameSize (${maxFrameSize}), got ${maxOutboundBytes}`,
    );
  }
  const maxHandshakeFrameSize = positive(
    'maxHandshakeFrameSize',
    user.maxHandshakeFrameSize ?? Math.min(DEFAULT_MAX_HANDSHAKE_FRAME_SIZE, maxFrameSize),
    true,
  );
  if (maxHandshakeFrameSize < HEADER_SIZE || maxHandshakeFrameSize > maxFrameSize) {
    throw new OptionError(
      'maxHandshakeFrameSize',
      `must be ${HEADER_SIZE}..maxFrameSize (${maxFrameSize}), got ${maxHandshakeFrameSize}`,
    );
  }
  const writeHighWaterMark = positive(
    'writeHighWaterMark',
    user.writeHighWaterMark ?? Math.min(DEFAULT_WRITE_HIGH_WATER_MARK, maxOutboundBytes),
    true,
  );
  if (writeHighWaterMark > maxOutboundBytes) {
    throw new OptionError(
      'writeHighWaterMark',
      `must be at most maxOutboundBytes (${maxOutboundBytes}), got ${writeHighWaterMark}`,
    );
  }
  const listenPort = user.listen?.port ?? 0;
  if (!Number.isInteger(listenPort) || listenPort < 0 || listenPort > 65535) {
    throw new OptionError('listen.port', `must be an integer 0..65535, got ${listenPort}`);
  }

  return Object.freeze({
    addr,
    addrText: Addr.format(addr),
    clusterId,
    // A private copy: the caller may reuse or wipe its buffer.
    secretKey: typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret),
    incarnation,
    listenHost: user.listen?.host ?? DEFAULT_LISTEN_HOST,
    listenPort,
    resolve: user.resolve,
    logger: user.logger ?? pino({ level: 'silent' }),
    maxFrameSize,
    pendingLimit: positive('pendingLimit', user.pendingLimit ?? DEFAULT_PENDING_LIMIT, true),
    downTimeoutMs,
    heartbeatIntervalMs,
    handshakeTimeoutMs: duration('handshakeTimeoutMs', user.handshakeTimeoutMs ?? downTimeoutMs),
    connectTimeoutMs: duration('connectTimeoutMs', user.connectTimeoutMs ?? downTimeoutMs),
    reconnectBaseMs,
    reconnectMaxMs,
    readHighWaterMark:
      user.readHighWaterMark === undefined
        ? undefined
        : positive('readHighWaterMark', user.readHighWaterMark, true),
    readBufferSize: readBufferSize(user.readBufferSize ?? DEFAULT_READ_BUFFER_SIZE),
    maxOutboundBytes,
    flushBytes: positive('flushBytes', user.flushBytes ?? DEFAULT_FLUSH_BYTES, true),
    promptFlushBytes: positive('promptFlushBytes', user.promptFlushBytes ?? DEFAULT_PROMPT_FLUSH_BYTES, true),
    maxHandshakeFrameSize,
    maxHandshakes: positive('maxHandshakes', user.maxHandshakes ?? DEFAULT_MAX_HANDSHAKES, true),
    refusalLogIntervalMs: duration(
      'refusalLogIntervalMs',
      user.refusalLogIntervalMs ?? DEFAULT_REFUSAL_LOG_INTERVAL_MS,
    ),
    writeHighWaterMark,
    linkIdleReleaseMs: duration('linkIdleReleaseMs', user.linkIdleReleaseMs ?? DEFAULT_LINK_IDLE_RELEASE_MS),
    tls: user.tls === undefined ? undefined : checkTls(user.tls),
  });
}

function checkTls(tls: TlsOptions): Readonly<TlsOptions> {
  if (tls === null || typeof tls !== 'object') throw new OptionError('tls', 'must be an object');
  if (tls.psk !== undefined) {
    const { identity, key } = tls.psk;
    if (typeof identity !== 'string' || identity.length === 0 || identity.length > 128) {
      throw new OptionError('tls.psk.identity', 'must be a string of 1..128 characters');
    }
    if (!(key instanceof Uint8Array) || key.length < 16) {
      throw new OptionError('tls.psk.key', 'must be at least 16 bytes');
    }
    return Object.freeze({ psk: Object.freeze({ identity, key: Buffer.from(key) }) });
  }
  for (const field of ['key', 'cert', 'ca'] as const) {
    if (tls[field] === undefined || tls[field] === null || tls[field] === '') {
      throw new OptionError(
        `tls.${field}`,
        'is required (PEM) unless tls.psk is given: links use mutual certificates',
      );
    }
  }
  return Object.freeze({ ...tls });
}

/** Delay before dial attempt number `failures + 1`: base * 2^(failures-1), capped, with +-20% jitter. */
export function backoffDelay(opts: ResolvedOptions, failures: number, random = Math.random): number {
  if (failures <= 0) return 0;
  const exp = Math.min(opts.reconnectMaxMs, opts.reconnectBaseMs * 2 ** Math.min(failures - 1, 30));
  return Math.max(0, Math.round(exp * (0.8 + 0.4 * random())));
}
