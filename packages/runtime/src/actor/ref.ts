// Actor references: plain serialisable `{node, name}` values with typed `call`/`cast` proxies.
import { Addr } from '@troupe/transport';
import type { AnyActorDefinition } from './define.js';
import type { CallOptions, CallProxy, CastProxy } from './types.js';

/** An actor's identity: the node it lives on and its name there. What travels in messages. */
export interface ActorId {
  node: number;
  name: string;
}

/** Sends messages on behalf of refs; the node implements it. `sender` is the sending actor, if any. */
export interface Router {
  tell(target: ActorId, handler: string, arg: unknown, sender: ActorId | undefined): void;
  ask(
    target: ActorId,
    handler: string,
    arg: unknown,
    options: CallOptions | undefined,
    sender: ActorId | undefined,
  ): Promise<unknown>;
}

/**
 * A reference to an actor, local or remote; both behave the same. Only `node` and `name` are
 * enumerable, so a ref serialises to `{node, name}` and can be rebuilt on another node with `node.ref()`.
 */
export class ActorRef<D extends AnyActorDefinition = AnyActorDefinition> implements ActorId {
  readonly node: Addr;
  readonly name: string;
  readonly #router: Router;
  readonly #sender: ActorId | undefined;
  readonly #options: CallOptions | undefined;
  #call: CallProxy<D> | undefined;
  #cast: CastProxy<D> | undefined;

  /**
   * `sender: 'self'` makes an actor's own ref, whose messages carry the actor as their sender;
   * `options` are the call options of every ask through this ref (see `with`).
   */
  constructor(node: Addr, name: string, router: Router, sender?: ActorId | 'self', options?: CallOptions) {
    this.node = node;
    this.name = name;
    this.#router = router;
    this.#sender = sender === 'self' ? this : sender;
    this.#options = options;
  }

  /**
   * The same actor with default call options for every ask through the new ref (a per-call options
   * argument still wins, key by key): `ref.with({ timeoutMs: 30_000 }).call.load()`.
   */
  with(options: CallOptions): ActorRef<D> {
    const merged = this.#options === undefined ? { ...options } : { ...this.#options, ...options };
    return new ActorRef<D>(this.node, this.name, this.#router, this.#sender, Object.freeze(merged));
  }

  #merge(options: CallOptions | undefined): CallOptions | undefined {
    if (options === undefined) return this.#options;
    if (this.#options === undefined) return options;
    return { ...this.#options, ...options };
  }

  /**
   * Typed asks: `await ref.call.handler(arg, options?)`. The first argument is always the handler's
   * argument and the second the options, whatever their shape; a handler without an argument takes
   * `call.x()` or `call.x(undefined, options)`, or use `ref.with(options)`.
   */
  get call(): CallProxy<D> {
    if (this.#call === undefined) {
      const cache = new Map<string, (arg?: unknown, options?: unknown) => Promise<unknown>>();
      this.#call = new Proxy({} as CallProxy<D>, {
        get: (_t, key) => {
          if (typeof key !== 'string' || key === 'then') return undefined;
          let fn = cache.get(key);
          if (fn === undefined) {
            fn = (arg?: unknown, options?: unknown) =>
              this.#router.ask(this, key, arg, this.#merge(options as CallOptions | undefined), this.#sender);
            cache.set(key, fn);
          }
          return fn;
        },
      });
    }
    return this.#call;
  }

  /** Typed fire-and-forget sends: `ref.cast.handler(arg)`. */
  get cast(): CastProxy<D> {
    if (this.#cast === undefined) {
      const cache = new Map<string, (arg?: unknown) => void>();
      this.#cast = new Proxy({} as CastProxy<D>, {
        get: (_t, key) => {
          if (typeof key !== 'string' || key === 'then') return undefined;
          let fn = cache.get(key);
          if (fn === undefined) {
            fn = (arg?: unknown) => this.#router.tell(this, key, arg, this.#sender);
            cache.set(key, fn);
          }
          return fn;
        },
      });
    }
    return this.#cast;
  }

  /** Untyped ask, for dynamic dispatch (gateways, tools). */
  ask(handler: string, arg?: unknown, options?: CallOptions): Promise<unknown> {
    return this.#router.ask(this, handler, arg, this.#merge(options), this.#sender);
  }

  /** Untyped tell. */
  tell(handler: string, arg?: unknown): void {
    this.#router.tell(this, handler, arg, this.#sender);
  }

  equals(other: ActorId | undefined): boolean {
    return other !== undefined && other.node === this.node && other.name === this.name;
  }

  toString(): string {
    return `${Addr.format(this.node)}/${this.name}`;
  }

  toJSON(): ActorId {
    return { node: this.node, name: this.name };
  }
}
