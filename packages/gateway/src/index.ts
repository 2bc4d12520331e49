// @troupe/gateway: client listeners (WebSocket + TCP), session actors, the route table, login tickets.

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
export type { GatewayOptions, ResumeOptions, TcpListenOptions, WsListenOptions } from './options.js';
export type { Route, RouteRule, RouteSpec, RouteStrategy } from './routes.js';
export { DEFAULT_ROUTE_ACTOR, parseRoute, parseRouteConfig, RouteTable } from './routes.js';
export type { GatewayMessage, SessionClosed, SessionId } from './session-ref.js';
export { SessionRef } from './session-ref.js';
export type { TicketClaims } from './ticket.js';
export { DEFAULT_TICKET_TTL_MS, issueTicket, TicketVerifier } from './ticket.js';
