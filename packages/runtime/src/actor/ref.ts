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
 * A lone argument is taken as call options when it is a plain object whose only keys (at least one) are
 * `timeoutMs` and `signal`. Checked without listing keys: arguments are often arrays or byte buffers.
 */
function isCallOptions(value: unknown): value is CallOptions {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  let keys = 0;
  for (const key in value) {
    if (key !== 'timeoutMs' && key !== 'signal') return false;
    keys++;
  }
  return keys > 0;
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
  #call: CallProxy<D> | undefined;
  #cast: CastProxy<D> | undefined;

  /** `sender: 'self'` makes an actor's own ref, whose messages carry the actor as their sender. */
  constructor(node: Addr, name: string, router: Router, sender?: ActorId | 'self') {
    this.node = node;
    this.name = name;
    this.#router = router;
    this.#sender = sender === 'self' ? this : sender;
  }

  /** Typed asks: `await ref.call.handler(arg, { timeoutMs })`. */
  get call(): CallProxy<D> {
    if (this.#call === undefined) {
      const cache = new Map<string, (...args: unknown[]) => Promise<unknown>>();
      this.#call = new Proxy({} as CallProxy<D>, {
        get: (_t, key) => {
          if (typeof key !== 'string' || key === 'then') return undefined;
          let fn = cache.get(key);
          if (fn === undefined) {
            fn = (...args: unknown[]) => {
              // One optional argument, then optional call options. Handlers that take no argument are
              // called as `call.x(options?)`, so a lone options-shaped argument is the options.
              let arg: unknown;
              let options: CallOptions | undefined;
              if (args.length >= 2) {
                arg = args[0];
                options = args[1] as CallOptions | undefined;
              } else if (args.length === 1 && isCallOptions(args[0])) {
                options = args[0];
              } else {
                arg = args[0];
              }
              return this.#router.ask(this, key, arg, options, this.#sender);
            };
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
    return this.#router.ask(this, handler, arg, options, this.#sender);
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
