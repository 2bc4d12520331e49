// A reply settled later: what `ctx.reply()` returns, answered once from anywhere.
import { toWireError } from '../errors.js';
import type { DeferredReply } from './define.js';
import type { Replier } from './envelope.js';

/** Told when a deferred reply settles, so its actor stops tracking it. */
export interface DeferredOwner {
  settledDeferred(d: Deferred<unknown>): void;
}

export class Deferred<T> implements DeferredReply<T> {
  readonly deferred = true as const;
  #done = false;

  constructor(
    private readonly replier: Replier | undefined,
    private readonly owner: DeferredOwner | undefined,
  ) {}

  get settled(): boolean {
    return this.#done;
  }

  resolve(value: T): void {
    if (!this.#finish()) return;
    this.replier?.ok(value);
  }

  /** The caller gets `RemoteError` with the error's code, message (and a `ReplyError`'s data). */
  reject(error: unknown): void {
    if (!this.#finish()) return;
    this.replier?.fail(toWireError(error), true);
  }

  /** @internal The actor stopped before settling it: the caller gets `ActorStoppedError`. */
  abandon(message: string): void {
    if (!this.#finish()) return;
    this.replier?.fail({ code: 'ACTOR_STOPPED', message });
  }

  /** @internal The handler returned something else: the reply is already sent, this one is void. */
  void(): void {
    this.#finish();
  }

  #finish(): boolean {
    if (this.#done) return false;
    this.#done = true;
    this.owner?.settledDeferred(this as Deferred<unknown>);
    return true;
  }
}
