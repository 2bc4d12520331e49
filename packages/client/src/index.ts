// `@troupe/client`: what game and chat clients import (browser-safe: nothing here imports `node:`).

export type { WireErrorBody } from './errors.js';
export {
  ClientError,
  CodecError,
  InvalidProtocolError,
  MalformedMsgpackError,
  UnsupportedValueError,
  WireProtocolError,
} from './errors.js';
export { NoticeCode } from './messages.js';
export type {
  Absent,
  AnyProtocol,
  AnyRoute,
  CallableNames,
  CodecName,
  HandlerOf,
  HandlerResult,
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
  routesByMsgId,
  routesFrom,
  routesOf,
  type,
} from './protocol.js';
export type { ClientTransport, TransportEvents, TransportFactory } from './transport.js';
export { MsgId } from './wire.js';
