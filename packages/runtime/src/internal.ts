// Internals for tests and tools; not part of the public API.
export { ActorCell } from './actor/cell.js';
export { Dispatcher } from './actor/dispatcher.js';
export { Queue } from './actor/queue.js';
export { Picker } from './membership/pick.js';
export { MemberTable } from './membership/table.js';
export { AskTable } from './node/asks.js';
export { CallReader, CallWriter, decodeArg } from './node/call-codec.js';
export { Kind, ReplyStatus } from './node/protocol.js';
