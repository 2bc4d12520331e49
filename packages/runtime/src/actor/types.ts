// Mapped types that turn a definition's handler table into typed `call` and `cast` proxies.
import type { ActorDefinition, AnyActorDefinition, DeferredReply, Handlers } from './define.js';

/** Options of one ask. */
export interface CallOptions {
  /** Deadline in ms; default the node's `askTimeoutMs` (5000). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

type HandlersOf<D> = D extends ActorDefinition<any, any, infer H> ? H : Handlers<any>;
type ArgsOf<D> = D extends ActorDefinition<any, infer A, any> ? A : never;

/** The reply type of a handler: its awaited return value, or the `T` of a deferred reply. */
export type ReplyOf<F> = F extends (...args: any[]) => infer R
  ? Awaited<R> extends DeferredReply<infer T>
    ? T
    : Awaited<R>
  : never;

/** A handler's parameters after the state: `[]` when it takes no argument, `[arg?]` when optional. */
type ArgParams<F> = F extends (state: any, ...rest: infer P) => any
  ? P extends []
    ? []
    : P extends [infer A, ...any[]]
      ? [arg: A]
      : P extends [(infer A)?, ...any[]]
        ? [arg?: A]
        : []
  : never;

/**
 * `call.x`'s parameters: the handler's argument, then the options. Options are never guessed from the
 * argument's shape, so a handler without an argument takes `undefined` in its place to pass options.
 */
type CallParams<F> =
  ArgParams<F> extends []
    ? [arg?: undefined, options?: CallOptions]
    : ArgParams<F> extends [arg: infer A]
      ? [arg: A, options?: CallOptions]
      : ArgParams<F> extends [arg?: infer A]
        ? [arg?: A, options?: CallOptions]
        : never;

/** `ref.call.x(arg, options?)`: an ask returning the typed reply. */
export type CallProxy<D> = {
  [K in keyof HandlersOf<D> & string]: (
    ...args: CallParams<HandlersOf<D>[K]>
  ) => Promise<ReplyOf<HandlersOf<D>[K]>>;
};

/** `ref.cast.x(arg)`: fire and forget. */
export type CastProxy<D> = {
  [K in keyof HandlersOf<D> & string]: (...args: ArgParams<HandlersOf<D>[K]>) => void;
};

/** The spawn arguments of a definition. */
export type SpawnArgs<D extends AnyActorDefinition> = ArgsOf<D>;
