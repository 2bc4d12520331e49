// @troupe/runtime: typed actors, nodes, remote tell/ask, supervision and membership.

export type { LinkStats, TransportStats, WireError } from '@troupe/transport';
export {
  Addr,
  ClosedError,
  DecodeError,
  FrameTooLargeError,
  HARBOR_TYPE,
  InvalidAddressError,
  NodeDownError,
  OptionError,
  OutboundBufferFullError,
  PendingQueueFullError,
  ProtocolError,
  TroupeError,
} from '@troupe/transport';
export type { ActorContext, ActorNodeApi, ActorTimers } from './actor/context.js';
export type {
  ActorDefinition,
  ActorSpec,
  AnyActorDefinition,
  DeferredReply,
  Handler,
  Handlers,
  SupervisionOptions,
  SupervisionPolicy,
  Terminated,
} from './actor/define.js';
export { defineActor } from './actor/define.js';
export type { ActorId } from './actor/ref.js';
export { ActorRef } from './actor/ref.js';
export type { SpawnOptions } from './actor/spawn.js';
export type { CallOptions, CallProxy, CastProxy, ReplyOf } from './actor/types.js';
export {
  AbortError,
  ActorExistsError,
  ActorNotFoundError,
  ActorStoppedError,
  EncodeError,
  InvalidActorNameError,
  KvInputError,
  MailboxFullError,
  NoMemberError,
  RegistrationError,
  RemoteError,
  ReplyError,
  TimeoutError,
  UnknownHandlerError,
  UnreachableError,
} from './errors.js';
export { HARBOR_ACTOR, harbor } from './harbor/extension.js';
export type { HarborStats } from './harbor/harbor.js';
export type { CenterOptions } from './membership/center.js';
export { CenterMembership, centerMembership } from './membership/center.js';
export { MemoryKv } from './membership/memory-kv.js';
export type { PickStrategy } from './membership/pick.js';
export { hash, rendezvous } from './membership/pick.js';
export type {
  KvEvent,
  KvStore,
  MemberRecord,
  MembershipHost,
  MembershipProvider,
  MembershipView,
} from './membership/provider.js';
export { validateRecord } from './membership/record.js';
export type { StaticConfig, StaticMember } from './membership/static.js';
export { StaticMembership, staticMembership } from './membership/static.js';
export type { MemberFilter } from './membership/table.js';
export type { AskStats } from './node/ask-metrics.js';
export {
  ASK_LATENCY_BUCKETS,
  ASK_OK,
  ASK_OTHER,
  ASK_OUTCOMES,
  ASK_REMOTE_ERROR,
} from './node/ask-metrics.js';
export { DEAD_LETTER_OTHER, DEAD_LETTER_REASONS } from './node/dead-letters.js';
export type { DeadLetter, NodeEvents } from './node/events.js';
export type {
  Extension,
  ExtensionHost,
  LocalMessage,
  ReplyTo,
  SendOptions,
} from './node/extension.js';
export { ExtensionKinds } from './node/extension.js';
export type { NodeStartOptions } from './node/node.js';
export { Node } from './node/node.js';
export { isObserver, OBSERVER_META } from './node/observer.js';
export type { LinkOptions, NodeOptions } from './node/options.js';
export type { RemoteSpawnOptions, SpawnTarget } from './node/remote-spawn.js';
export {
  ExtensionExistsError,
  FrameKindTakenError,
  InvalidFrameKindError,
  UnknownActorTypeError,
} from './node/seam-errors.js';
export type { NodeStats, StatsOptions } from './node/stats.js';
export { DEFAULT_STATS_TOP } from './node/stats.js';
export type { NodeActorHost, RemoteSpawnRequest } from './node/system-actor.js';
export { NODE_ACTOR } from './node/system-actor.js';
export { PUBSUB_ACTOR } from './pubsub/control.js';
export { InvalidTopicError, PubSubNotStartedError } from './pubsub/errors.js';
export type { PubSubOptions } from './pubsub/options.js';
export type { HistoryPosition, Publication, PubSubStats } from './pubsub/pubsub.js';
export { PubSub, PubSubKind, pubsub } from './pubsub/pubsub.js';
export {
  StreamProtocolError,
  StreamResetError,
  StreamsNotStartedError,
  TooManyStreamsError,
} from './streams/errors.js';
export type { StreamsOptions } from './streams/options.js';
export type { StreamState } from './streams/state.js';
export { TroupeStream } from './streams/stream.js';
export type { OpenOptions, StreamsStats } from './streams/streams.js';
export { Streams, streams } from './streams/streams.js';
