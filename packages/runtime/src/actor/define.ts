// Actor definitions: the single source of an actor's types. Callers `import type` a definition.
import type { ActorContext } from './context.js';

/** A handler: takes the state, at most one argument and the context; returns the reply (or a promise). */
export type Handler<S> = (state: S, arg: any, ctx: ActorContext) => unknown;

/** The handler table of an actor with state `S`. */
export type Handlers<S> = Record<string, Handler<S>>;

/**
 * What to do when an actor fails outside a reply (a cast handler, a timer, `init` on restart,
 * `onTerminated`): `restart` (fresh state, with backoff), `stop`, `resume` (keep the state), or
 * `escalate` (stop, and fail the parent with the error; a top-level actor just stops).
 */
export type SupervisionPolicy = 'restart' | 'stop' | 'resume' | 'escalate';

export interface SupervisionOptions {
  /** Default `restart`: re-run `init` with the spawn arguments, fresh state. */
  policy?: SupervisionPolicy;
  /** First restart delay; doubles with each failure inside `windowMs`. Default 10 ms. */
  backoffBaseMs?: number;
  /** Cap of the restart delay. Default 5000 ms. */
  backoffMaxMs?: number;
  /** Failures further apart than this reset the backoff. Default 10000 ms. */
  windowMs?: number;
  /**
   * An error thrown (or rejected) while answering an ask: `reply` (default) sends it to the caller as
   * `RemoteError` and keeps the state, as in Orleans; `supervise` also applies the policy.
   */
  onAskError?: 'reply' | 'supervise';
  /**
   * An error thrown by a cast (tell) handler, which has no caller to answer: `supervise` (default)
   * applies the policy, as in Akka; `log` logs it at warn and keeps the state.
   */
  onCastError?: 'supervise' | 'log';
}

/** Delivered to a watcher when a watched actor stops or its node goes down. */
export interface Terminated {
  ref: { node: number; name: string };
  reason: string;
}

/** The argument `defineActor` takes. */
export interface ActorSpec<S, A, H extends Handlers<S>> {
  /** Builds the state from the spawn arguments. Called again on restart. */
  init: (args: A, ctx: ActorContext) => S;
  handlers: H;
  /** Called (in the mailbox, before user messages) when a watched actor terminates. */
  onTerminated?: (state: S, terminated: Terminated, ctx: ActorContext) => unknown;
  /** Called when the actor stops (not on restart). */
  onStop?: (state: S, reason: string, ctx: ActorContext) => unknown;
  supervision?: SupervisionOptions;
  /** Mailbox bound for this actor; defaults to the node's `mailboxLimit`. */
  mailboxLimit?: number;
}

declare const defBrand: unique symbol;

/** A defined actor. The phantom fields carry the types to `ref<typeof Def>()`. */
export interface ActorDefinition<S, A, H extends Handlers<S>> extends ActorSpec<S, A, H> {
  readonly [defBrand]?: { state: S; args: A };
}

/** Any actor definition. */
export type AnyActorDefinition = ActorDefinition<any, any, Handlers<any>>;

/**
 * Defines an actor. `init` fixes the state type, which then types every handler's `state`; the
 * handler table is the type source of `call` and `cast` on refs to this actor.
 */
export function defineActor<S, A = void, H extends Handlers<S> = Handlers<S>>(
  spec: ActorSpec<S, A, H>,
): ActorDefinition<S, A, H> {
  if (typeof spec.init !== 'function') throw new TypeError('defineActor: init must be a function');
  for (const [name, fn] of Object.entries(spec.handlers)) {
    if (typeof fn !== 'function') throw new TypeError(`defineActor: handler ${name} is not a function`);
    const bytes = Buffer.byteLength(name, 'utf8');
    if (bytes === 0 || bytes > 255)
      throw new TypeError(`defineActor: handler name "${name.slice(0, 40)}" must be 1..255 UTF-8 bytes`);
  }
  return spec;
}

/** A reply sent later: returned by `ctx.reply()`, resolved or rejected from anywhere. */
export interface DeferredReply<T> {
  readonly deferred: true;
  resolve(value: T): void;
  reject(error: unknown): void;
}
