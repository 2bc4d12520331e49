// Internals for tests and tools; not part of the public API.
export { ActorCell } from './actor/cell.js';
export { Dispatcher } from './actor/dispatcher.js';
export { checkDuration, MAX_DURATION_MS } from './actor/duration.js';
export { Queue } from './actor/queue.js';
export { Picker } from './membership/pick.js';
export { MemberTable } from './membership/table.js';
export { AskTable } from './node/asks.js';
export { CallReader, CallWriter, decodeArg } from './node/call-codec.js';
export { NodeCore } from './node/core.js';
export { LocalDelivery } from './node/delivery.js';
export { FrameKinds } from './node/frames.js';
export { killNode } from './node/kill.js';
export { coreOf } from './node/node.js';
export { Kind, ReplyStatus } from './node/protocol.js';
