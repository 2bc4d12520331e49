// Gateway options: defaults, validation naming the property, resolved once and frozen.
import type { PubSub } from '@troupe/runtime';
import { OptionError } from '@troupe/transport';
import type { RouteConfig } from './routes.js';

/** A WebSocket listener. */
export interface WsListenOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /**
   * Largest WebSocket message accepted, bytes; past it `ws` closes the socket (code 1009) without a
   * notice. Default 16 whole frames of `maxFrame` (a message may carry several frames), so a single
   * oversize frame still gets its FRAME_TOO_LARGE notice.
   */
  maxPayload?: number;
  /** Per-message deflate; off by default (it costs CPU and memory per connection). */
  perMessageDeflate?: boolean;
}

/** A raw TCP listener. */
export interface TcpListenOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
}

/** Resume window and bounds; `false` turns resume off. */
export interface ResumeOptions {
  /** How long a dropped session waits for its client. Default 30 s. */
  windowMs?: number;
  /** Frames kept for replay. Default 512. */
  maxFrames?: number;
  /** Bytes kept for replay. Default 512 KiB. */
  maxBytes?: number;
}

export interface GatewayOptions {
  /** WebSocket listener; `false` for none. Default `{host: '127.0.0.1', port: 0}`. */
  ws?: WsListenOptions | false;
  /** TCP listener; `false` for none. Default `{host: '127.0.0.1', port: 0}`. */
  tcp?: TcpListenOptions | false;
  /** Routes from code or a config object: specs, `routesFrom(...)` entries, or `{routes: {...}}`. */
  routes?: RouteConfig;
  /** A JSON route config file, reloaded when it changes. */
  routesFile?: string;
  /** Read routes from the membership KV under this prefix and follow changes; `false` for none. Default `routes/`. */
  kvRoutes?: string | false;
  /** Largest client frame payload, bytes. Default 64 KiB. */
  maxFrame?: number;
  /** How often clients should send a heartbeat (told in WELCOME). Default 10 s. */
  heartbeatMs?: number;
  /** A session silent this long is closed with IDLE_TIMEOUT. Default 30 s. */
  idleMs?: number;
  /** A second login of a live uid: `replace` closes the first session (default), `refuse` refuses the second. */
  duplicateLogin?: 'replace' | 'refuse';
  /** Bytes queued for one client beyond which it is disconnected with SLOW_CLIENT. Default 1 MiB. */
  maxOutboundBytes?: number;
  resume?: ResumeOptions | false;
  /** Deadline of a backend call. Default 5 s. */
  requestTimeoutMs?: number;
  /** Requests (and plain frames awaiting their handler) in flight per session. Default 64. */
  maxInFlight?: number;
  /** Secret shared with the login service to verify tickets; without it tickets are refused. */
  ticketSecret?: string;
  /** How often this gateway reports its load (sessions, event-loop lag) to login services. Default 1 s. */
  loadReportMs?: number;
  /** Host clients are told to connect to (login answers). Default: the listener's host. */
  publicHost?: string;
  /** Node type of every gateway of the cluster (uid ownership is spread over them). Default: this node's type. */
  gatewayType?: number;
  /**
   * The node's pub/sub extension (give the same instance in the node's extensions): sessions then
   * subscribe to topics with `SessionRef.subscribe(topic, msgId)`, and a room is one publish.
   */
  pubsub?: PubSub;
}

export const DEFAULT_MAX_FRAME = 64 * 1024;
export const DEFAULT_HEARTBEAT_MS = 10_000;
export const DEFAULT_IDLE_MS = 30_000;
export const DEFAULT_MAX_OUTBOUND_BYTES = 1024 * 1024;
export const DEFAULT_RESUME: Required<ResumeOptions> = Object.freeze({
  windowMs: 30_000,
  maxFrames: 512,
  maxBytes: 512 * 1024,
});
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_IN_FLIGHT = 64;
export const DEFAULT_LOAD_REPORT_MS = 1000;
export const DEFAULT_KV_ROUTES = 'routes/';
export const DEFAULT_LISTEN_HOST = '127.0.0.1';

/** Options after defaults and validation. */
export interface ResolvedGatewayOptions {
  readonly ws: Readonly<Required<WsListenOptions>> | false;
  readonly tcp: Readonly<Required<TcpListenOptions>> | false;
  readonly routes: RouteConfig;
  readonly routesFile: string | undefined;
  readonly kvRoutes: string | false;
  readonly maxFrame: number;
  readonly heartbeatMs: number;
  readonly idleMs: number;
  readonly duplicateLogin: 'replace' | 'refuse';
  readonly maxOutboundBytes: number;
  readonly resume: Readonly<Required<ResumeOptions>> | false;
  readonly requestTimeoutMs: number;
  readonly maxInFlight: number;
  readonly ticketSecret: string | undefined;
  readonly loadReportMs: number;
  readonly publicHost: string | undefined;
  readonly gatewayType: number | undefined;
  readonly pubsub: PubSub | undefined;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new OptionError(name, `must be a positive number, got ${value}`);
  return value;
}

function port(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new OptionError(name, `must be a port number, got ${value}`);
  return value;
}

/** Applies defaults, checks every field and cross-field rule, and freezes the result. */
export function resolveGatewayOptions(user: GatewayOptions = {}): ResolvedGatewayOptions {
  const maxFrame = positive('maxFrame', user.maxFrame ?? DEFAULT_MAX_FRAME);
  if (maxFrame > 0xffffffff) throw new OptionError('maxFrame', 'must fit the u32 length field');
  const heartbeatMs = positive('heartbeatMs', user.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  const idleMs = positive('idleMs', user.idleMs ?? DEFAULT_IDLE_MS);
  if (idleMs <= heartbeatMs)
    throw new OptionError('idleMs', `must exceed heartbeatMs (${heartbeatMs}), or live clients time out`);
  const ws =
    user.ws === false
      ? false
      : Object.freeze({
          host: DEFAULT_LISTEN_HOST,
          port: 0,
          maxPayload: 16 * (maxFrame + 8),
          perMessageDeflate: false,
          ...user.ws,
        });
  if (ws) {
    port('ws.port', ws.port);
    positive('ws.maxPayload', ws.maxPayload);
  }
  const tcp = user.tcp === false ? false : Object.freeze({ host: DEFAULT_LISTEN_HOST, port: 0, ...user.tcp });
  if (tcp) port('tcp.port', tcp.port);
  if (!ws && !tcp) throw new OptionError('ws', 'a gateway needs a WebSocket or a TCP listener');
  const resume = user.resume === false ? false : Object.freeze({ ...DEFAULT_RESUME, ...user.resume });
  if (resume) {
    positive('resume.windowMs', resume.windowMs);
    positive('resume.maxFrames', resume.maxFrames);
    positive('resume.maxBytes', resume.maxBytes);
  }
  const duplicateLogin = user.duplicateLogin ?? 'replace';
  if (duplicateLogin !== 'replace' && duplicateLogin !== 'refuse')
    throw new OptionError('duplicateLogin', `must be 'replace' or 'refuse', got ${String(duplicateLogin)}`);
  const kvRoutes = user.kvRoutes ?? DEFAULT_KV_ROUTES;
  if (kvRoutes !== false && (typeof kvRoutes !== 'string' || kvRoutes === ''))
    throw new OptionError('kvRoutes', 'must be a non-empty key prefix or false');
  if (
    user.ticketSecret !== undefined &&
    (typeof user.ticketSecret !== 'string' || user.ticketSecret.length < 16)
  )
    throw new OptionError('ticketSecret', 'must be a string of at least 16 characters');
  const gatewayType = user.gatewayType;
  if (gatewayType !== undefined && (!Number.isInteger(gatewayType) || gatewayType < 0 || gatewayType > 254))
    throw new OptionError('gatewayType', `must be a node type in 0..254, got ${gatewayType}`);
  return Object.freeze({
    ws,
    tcp,
    routes: user.routes ?? [],
    routesFile: user.routesFile,
    kvRoutes,
    maxFrame,
    heartbeatMs,
    idleMs,
    duplicateLogin,
    maxOutboundBytes: positive('maxOutboundBytes', user.maxOutboundBytes ?? DEFAULT_MAX_OUTBOUND_BYTES),
    resume,
    requestTimeoutMs: positive('requestTimeoutMs', user.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
    maxInFlight: positive('maxInFlight', user.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT),
    ticketSecret: user.ticketSecret,
    loadReportMs: positive('loadReportMs', user.loadReportMs ?? DEFAULT_LOAD_REPORT_MS),
    publicHost: user.publicHost,
    gatewayType,
    pubsub: user.pubsub,
  });
}
