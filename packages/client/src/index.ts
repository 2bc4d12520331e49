// `@troupe/client`: what game and chat clients import (browser-safe: nothing here imports `node:`).

export { TERMINAL_NOTICES } from './client.js';
export { connect } from './connect.js';
export type { WireErrorBody } from './errors.js';
export {
  ClientError,
  CodecError,
  ConnectFailedError,
  ConnectionClosedError,
  InvalidOptionError,
  InvalidProtocolError,
  MalformedMsgpackError,
  QueueFullError,
  RemoteError,
  RequestAbortedError,
  RequestTimeoutError,
  ResumeFailedError,
  UnsupportedValueError,
  WireProtocolError,
} from './errors.js';
export type { Notice } from './messages.js';
export { NoticeCode } from './messages.js';
export type { ClientOptions, ConnectOptions, ReconnectOptions } from './options.js';
export { DEFAULT_CLIENT_OPTIONS, DEFAULT_RECONNECT_OPTIONS } from './options.js';
export type {
  Absent,
  AnyProtocol,
  AnyRoute,
  CallableNames,
  CarriesRequest,
  CodecName,
  HandlerOf,
  HandlerResult,
  IsAbsent,
  PayloadCodec,
  PayloadType,
  Protocol,
  PushNames,
  PushOf,
  ReplyOf,
  RequestOf,
  Route,
  RouteEntry,
  RouteHandler,
  RouteInfo,
  RouteOf,
  RouteSpec,
  RouteTargets,
  Rule,
  SendableNames,
} from './protocol.js';
export {
  codecOf,
  codecs,
  DEFAULT_CODEC,
  DEFAULT_RULE,
  defineProtocol,
  handles,
  handlesMessage,
  routesByMsgId,
  routesFrom,
  routesOf,
  type,
} from './protocol.js';
export type { ClientTransport, TransportEvents, TransportFactory } from './transport.js';
export type {
  CallProxies,
  Client,
  ClientState,
  OnFunction,
  OnProxies,
  PayloadArgs,
  RequestFunction,
  RequestOptions,
  SendFunction,
  SendProxies,
  StateChange,
  Unsubscribe,
} from './typed.js';
export type { WebSocketConstructor, WebSocketLike } from './websocket.js';
export { webSocket } from './websocket.js';
export { MsgId } from './wire.js';
