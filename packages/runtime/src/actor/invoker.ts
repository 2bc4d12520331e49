// Runs one message or callback against an actor's state and settles its reply: sync, async or deferred.
import { toWireError } from '../errors.js';
import type { ActorContext } from './context.js';
import { Deferred, type DeferredOwner } from './deferred.js';
import type { AnyActorDefinition } from './define.js';
import type { Envelope } from './envelope.js';
import type { FailureSite } from './supervision.js';

/** What the invoker needs from its actor. */
export interface InvokerCell {
  readonly def: AnyActorDefinition;
  readonly state: unknown;
  readonly ctx: ActorContext;
  /** A handler returned a promise: hold the mailbox until `asyncSettled`. */
  hold(): void;
  asyncSettled(): void;
  /** A failure for supervision to judge. */
  failed(err: unknown, site: FailureSite): void;
  /** No handler of that name: answer and count a dead letter. */
  unknownHandler(env: Envelope): void;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

export class Invoker implements DeferredOwner {
  /** The message being handled (an async handler's until it settles); `ctx.sender` reads it. */
  current: Envelope | undefined;
  /** The deferred reply `ctx.reply()` made during the current handler, if any. */
  #made: Deferred<unknown> | undefined;
  /** Deferred replies returned by handlers and not settled yet; made on the first. */
  #open: Set<Deferred<unknown>> | undefined;

  constructor(private readonly cell: InvokerCell) {}

  /** Deferred replies outstanding. */
  get openReplies(): number {
    return this.#open?.size ?? 0;
  }

  /** `ctx.reply()`: a deferred reply to the current message. */
  defer<T>(): Deferred<T> {
    const d = new Deferred<unknown>(this.current?.replier, this);
    this.#made = d;
    return d as Deferred<T>;
  }

  settledDeferred(d: Deferred<unknown>): void {
    this.#open?.delete(d);
  }

  /** Runs a user message's handler. */
  invoke(env: Envelope): void {
    const handlers = this.cell.def.handlers;
    const fn = Object.hasOwn(handlers, env.handler) ? handlers[env.handler] : undefined;
    if (fn === undefined) {
      this.cell.unknownHandler(env);
      return;
    }
    this.current = env;
    let result: unknown;
    try {
      result = fn(this.cell.state, env.arg, this.cell.ctx);
    } catch (err) {
      this.current = undefined;
      this.#rejected(env, err);
      return;
    }
    if (isThenable(result)) {
      this.cell.hold();
      result.then(
        (value) => this.#settled(env, value, undefined, false),
        (err) => this.#settled(env, undefined, err, true),
      );
      return;
    }
    this.current = undefined;
    this.#reply(env, result);
  }

  /** Runs a callback in the mailbox (a timer, `onTerminated`); a failure goes to supervision. */
  callback(fn: () => unknown, site: FailureSite): void {
    let r: unknown;
    try {
      r = fn();
    } catch (err) {
      this.cell.failed(err, site);
      return;
    }
    if (!isThenable(r)) return;
    this.cell.hold();
    const marker = {} as Envelope;
    this.current = marker;
    r.then(
      () => this.#callbackSettled(marker, undefined, false, site),
      (err) => this.#callbackSettled(marker, err, true, site),
    );
  }

  /**
   * The actor stops: the message an async handler still works on and every open deferred reply fail
   * with `ACTOR_STOPPED`; a late settlement of either is ignored.
   */
  abandon(message: string): void {
    const env = this.current;
    this.current = undefined;
    this.#made = undefined;
    env?.replier?.fail({ code: 'ACTOR_STOPPED', message });
    if (this.#open !== undefined) {
      const open = [...this.#open];
      this.#open = undefined;
      for (const d of open) d.abandon(message);
    }
  }

  #reply(env: Envelope, result: unknown): void {
    const made = this.#made;
    this.#made = undefined;
    if (made !== undefined) {
      if (result === made) {
        if (!made.settled) {
          this.#open ??= new Set();
          this.#open.add(made);
        }
        return;
      }
      made.void();
    }
    env.replier?.ok(result);
  }

  #rejected(env: Envelope, err: unknown): void {
    const made = this.#made;
    this.#made = undefined;
    made?.void();
    if (env.replier !== undefined) {
      env.replier.fail(toWireError(err), true);
      this.cell.failed(err, 'ask');
    } else {
      this.cell.failed(err, 'cast');
    }
  }

  #settled(env: Envelope, value: unknown, err: unknown, rejected: boolean): void {
    if (this.current !== env) return; // abandoned: the actor stopped meanwhile
    this.current = undefined;
    if (rejected) this.#rejected(env, err);
    else this.#reply(env, value);
    this.cell.asyncSettled();
  }

  #callbackSettled(marker: Envelope, err: unknown, rejected: boolean, site: FailureSite): void {
    if (this.current !== marker) return;
    this.current = undefined;
    if (rejected) this.cell.failed(err, site);
    this.cell.asyncSettled();
  }
}
