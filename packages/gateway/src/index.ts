// @troupe/gateway: client listeners (WebSocket + TCP), session actors, the route table, login tickets.

export type { GatewayBackend, GatewayBackendOptions } from './backend.js';
export { DEFAULT_GATEWAY_TYPE, gatewayBackend } from './backend.js';
export type { RouteCodec } from './codecs.js';
export {
  DuplicateLoginError,
  LoginRefusedError,
  NoGatewayError,
  PayloadError,
  ResumeFailedError,
  RouteConfigError,
  SessionClosedError,
  TicketExpiredError,
  TicketInvalidError,
  TicketReusedError,
  TicketWrongGatewayError,
} from './errors.js';
export type { GatewayExtension } from './gateway.js';
export { gateway } from './gateway.js';
export type { GatewayLoad } from './gateway-actor.js';
export type { Authenticate, LoginAnswer, LoginService, LoginServiceOptions } from './login.js';
export { DEFAULT_REPORT_MS, LOGIN_ACTOR, loginService } from './login.js';
export type { LoginHttpOptions } from './login-http.js';
export type { GatewayStats, RouteCounters } from './metrics.js';
export type { GatewayOptions, ResumeOptions, TcpListenOptions, WsListenOptions } from './options.js';
export {
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_IDLE_MS,
  DEFAULT_MAX_FRAME,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_MAX_OUTBOUND_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RESUME,
} from './options.js';
export type { Route, RouteConfig, RouteInput, RouteRule, RouteSpec, RouteStrategy } from './routes.js';
export { DEFAULT_ROUTE_ACTOR, parseRoute, parseRouteConfig, RouteTable } from './routes.js';
export type { GatewayMessage, SessionClosed, SessionId } from './session-ref.js';
export { SessionRef } from './session-ref.js';
export { BACKEND_ACTOR, GATEWAY_ACTOR } from './sessions.js';
export type { TicketClaims } from './ticket.js';
export { DEFAULT_TICKET_TTL_MS, issueTicket, TicketVerifier } from './ticket.js';
