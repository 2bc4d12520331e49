// `@troupe/client/wire`: the client wire codec the gateway shares with the SDK (framing, msgpack, protocol messages).

export type { WireErrorBody } from './errors.js';
export {
  ClientError,
  MalformedMsgpackError,
  UnsupportedValueError,
  WireProtocolError,
} from './errors.js';
export type { Hello, Notice, Welcome } from './messages.js';
export {
  decodeHello,
  decodeNotice,
  decodeWelcome,
  encodeMessage,
  NoticeCode,
  PROTOCOL_VERSION,
} from './messages.js';
export { MAX_MSGPACK_DEPTH, pack, unpack } from './msgpack.js';
export {
  decodeRequest,
  decodeResponse,
  encodeFrame,
  encodeFrames,
  encodeRequest,
  encodeResponse,
  FRAME_HEADER,
  FrameReader,
  isAppMsgId,
  isValidMsgId,
  MsgId,
  REQUEST_HEADER,
  RESPONSE_HEADER,
} from './wire.js';
