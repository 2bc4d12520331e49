// One live actor: its state, mailbox, context, and supervision (restart with backoff, stop, resume).
import type { WireError } from '@troupe/transport';
import type { Logger } from 'pino';
import { MailboxFullError } from '../errors.js';
import { CellContext } from './cell-context.js';
import type { ActorNodeApi } from './context.js';
import type { AnyActorDefinition, DeferredReply, SupervisionOptions, Terminated } from './define.js';
import type { Dispatcher, Runnable } from './dispatcher.js';
import { Envelope, type Replier, type SystemMessage } from './envelope.js';
import { Queue } from './queue.js';
import type { ActorId, ActorRef } from './ref.js';
import type { SpawnOptions } from './spawn.js';

/** Handler name of envelopes that carry an actor-owned timer callback through the mailbox. */
export const TIMER_HANDLER = '\0timer';

/** What a cell needs from its node. */
export interface CellHost {
  readonly dispatcher: Dispatcher;
  /** A ref to `id` sending as `sender`; `asSelf` makes the actor's own ref, which sends as itself. */
  makeRef(id: ActorId, sender: ActorId | undefined, asSelf?: boolean): ActorRef<any>;
  /** A child logger for the named actor. */
  actorLogger(name: string): Logger;
  nodeApi(cell: ActorCell): ActorNodeApi;
  spawnChild(
    parent: ActorCell,
    def: AnyActorDefinition,
    options: SpawnOptions<any> | undefined,
  ): ActorRef<any>;
  watchFor(watcher: ActorCell, target: ActorId): void;
  unwatchFor(watcher: ActorCell, target: ActorId): void;
  deadLetter(to: ActorId, handler: string, reason: string): void;
  /** The cell has stopped: unregister it and notify its watchers. */
  cellStopped(cell: ActorCell, reason: string): void;
}

type Status = 'idle' | 'scheduled' | 'running' | 'awaiting' | 'suspended' | 'stopped';

const DEFAULT_SUPERVISION: Required<SupervisionOptions> = {
  policy: 'restart',
  backoffBaseMs: 10,
  backoffMaxMs: 5000,
  windowMs: 10_000,
};

/** Resolved supervision per definition, shared by its actors unless a spawn overrides it. */
const supervisionByDef = new WeakMap<AnyActorDefinition, Readonly<Required<SupervisionOptions>>>();

function supervisionOf(
  def: AnyActorDefinition,
  override: SupervisionOptions | undefined,
): Readonly<Required<SupervisionOptions>> {
  if (override !== undefined)
    return Object.freeze({ ...DEFAULT_SUPERVISION, ...def.supervision, ...override });
  let resolved = supervisionByDef.get(def);
  if (resolved === undefined) {
    resolved = Object.freeze({ ...DEFAULT_SUPERVISION, ...def.supervision });
    supervisionByDef.set(def, resolved);
  }
  return resolved;
}

function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    const code =
      typeof (err as { code?: unknown }).code === 'string'
        ? (err as unknown as { code: string }).code
        : 'HANDLER_ERROR';
    return { code, message: err.message };
  }
  return { code: 'HANDLER_ERROR', message: String(err) };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

export class Deferred<T> implements DeferredReply<T> {
  readonly deferred = true as const;
  private done = false;
  constructor(private readonly replier: Replier | undefined) {}
  resolve(value: T): void {
    if (this.done) return;
    this.done = true;
    this.replier?.ok(value);
  }
  reject(error: unknown): void {
    if (this.done) return;
    this.done = true;
    this.replier?.fail(toWireError(error), true);
  }
}

export class ActorCell implements Runnable {
  readonly id: ActorId;
  readonly self: ActorRef<any>;
  #log: Logger | undefined;
  /** Child actors; made on the first spawn (idle actors carry none). */
  children: Set<ActorCell> | undefined;

  private state: unknown;
  /** @internal */ status: Status = 'idle';
  private readonly mailbox = new Queue<Envelope>(8);
  private system: Queue<SystemMessage> | undefined;
  private readonly supervision: Readonly<Required<SupervisionOptions>>;
  private readonly limit: number;
  private readonly ctx: CellContext;
  /** @internal */ current: Envelope | undefined;
  /** @internal */ deferred: Deferred<unknown> | undefined;
  /** @internal */ stopRequested: string | undefined;
  /** @internal */ timers: Set<NodeJS.Timeout> | undefined;
  private failures: number[] | undefined;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly host: CellHost,
    readonly def: AnyActorDefinition,
    name: string,
    nodeAddr: number,
    private readonly args: unknown,
    options: { supervision?: SupervisionOptions; mailboxLimit: number },
    readonly parent: ActorCell | undefined,
  ) {
    this.self = host.makeRef({ node: nodeAddr, name }, undefined, true);
    this.id = this.self;
    this.supervision = supervisionOf(def, options.supervision);
    this.limit = options.mailboxLimit;
    this.ctx = new CellContext(this, host);
  }

  /** This actor's child logger, made on first use (idle actors carry none). */
  get log(): Logger {
    this.#log ??= this.host.actorLogger(this.id.name);
    return this.#log;
  }

  #watcher: { deliver(t: Terminated): void } | undefined;

  /** Watcher handle: delivers `Terminated` into this actor's system queue. */
  get asWatcher(): { deliver(t: Terminated): void } {
    this.#watcher ??= {
      deliver: (t) => this.enqueueSystem({ type: 'terminated', ref: t.ref, reason: t.reason }),
    };
    return this.#watcher;
  }

  /** Runs `init`; throws what `init` throws (the spawn fails). */
  start(): void {
    this.state = this.def.init(this.args, this.ctx);
  }

  get stopped(): boolean {
    return this.status === 'stopped';
  }

  get mailboxSize(): number {
    return this.mailbox.length;
  }

  /** Queues a user message; throws `MailboxFullError` at the limit. */
  enqueue(env: Envelope): void {
    if (this.mailbox.length >= this.limit) {
      throw new MailboxFullError(`mailbox of ${this.self} is full (${this.limit} messages)`);
    }
    this.mailbox.push(env);
    if (this.status === 'idle') {
      this.status = 'scheduled';
      this.host.dispatcher.schedule(this);
    }
  }

  /** Queues a system message, run before any user message. */
  enqueueSystem(msg: SystemMessage): void {
    if (this.status === 'stopped') return;
    this.system ??= new Queue<SystemMessage>(4);
    this.system.push(msg);
    if (this.status === 'idle') {
      this.status = 'scheduled';
      this.host.dispatcher.schedule(this);
    }
  }

  run(budget: number): number {
    if (this.status !== 'scheduled') return 0;
    this.status = 'running';
    let n = 0;
    while (n < budget) {
      const sys = this.system?.shift();
      if (sys !== undefined) {
        n++;
        this.handleSystem(sys);
      } else {
        const env = this.mailbox.shift();
        if (env === undefined) break;
        n++;
        this.invoke(env);
      }
      if (this.status !== 'running') return n;
      if (this.stopRequested !== undefined) break;
    }
    this.afterTurn();
    return n;
  }

  private afterTurn(): void {
    if (this.stopRequested !== undefined) {
      this.finalStop(this.stopRequested);
      return;
    }
    if (this.mailbox.length > 0 || (this.system !== undefined && this.system.length > 0)) {
      this.status = 'scheduled';
      this.host.dispatcher.schedule(this);
    } else {
      this.status = 'idle';
    }
  }

  private invoke(env: Envelope): void {
    if (env.handler === TIMER_HANDLER) {
      this.runCallback(env.arg as () => unknown);
      return;
    }
    const handlers = this.def.handlers;
    const fn = Object.hasOwn(handlers, env.handler) ? handlers[env.handler] : undefined;
    if (fn === undefined) {
      env.replier?.fail({ code: 'UNKNOWN_HANDLER', message: `${this.self} has no handler "${env.handler}"` });
      this.host.deadLetter(this.id, env.handler, 'unknown handler');
      return;
    }
    this.current = env;
    let result: unknown;
    try {
      result = fn(this.state, env.arg, this.ctx);
    } catch (err) {
      this.current = undefined;
      this.deferred = undefined;
      env.replier?.fail(toWireError(err), true);
      this.failed(err, env.handler);
      return;
    }
    if (isThenable(result)) {
      this.status = 'awaiting';
      result.then(
        (value) => this.settled(env, value, undefined, false),
        (err) => this.settled(env, undefined, err, true),
      );
      return;
    }
    this.current = undefined;
    this.reply(env, result);
  }

  private reply(env: Envelope, result: unknown): void {
    const deferred = this.deferred;
    this.deferred = undefined;
    if (deferred !== undefined && result === deferred) return;
    env.replier?.ok(result);
  }

  private settled(env: Envelope, value: unknown, err: unknown, rejected: boolean): void {
    this.current = undefined;
    if (rejected) {
      this.deferred = undefined;
      env.replier?.fail(toWireError(err), true);
    } else {
      this.reply(env, value);
    }
    if (this.status !== 'awaiting') return;
    this.status = 'running';
    if (rejected) this.failed(err, env.handler);
    if (this.status === 'running') this.afterTurn();
  }

  private runCallback(fn: () => unknown): void {
    try {
      const r = fn();
      if (isThenable(r)) {
        this.status = 'awaiting';
        r.then(
          () => this.settledCallback(undefined, false),
          (err) => this.settledCallback(err, true),
        );
      }
    } catch (err) {
      this.failed(err, 'timer');
    }
  }

  private settledCallback(err: unknown, rejected: boolean): void {
    if (this.status !== 'awaiting') return;
    this.status = 'running';
    if (rejected) this.failed(err, 'callback');
    if (this.status === 'running') this.afterTurn();
  }

  private handleSystem(msg: SystemMessage): void {
    switch (msg.type) {
      case 'stop':
        this.finalStop(msg.reason);
        return;
      case 'restart':
        this.reinit();
        return;
      case 'childFailed':
        this.failed(msg.error, `child ${msg.child}`);
        return;
      case 'terminated': {
        const hook = this.def.onTerminated;
        if (hook !== undefined)
          this.runCallback(() => hook(this.state, { ref: msg.ref, reason: msg.reason }, this.ctx));
        return;
      }
    }
  }

  /** Applies the supervision policy to a failure. */
  private failed(err: unknown, where: string): void {
    const message = err instanceof Error ? err.message : String(err);
    this.log.warn({ err, handler: where }, 'actor handler failed');
    switch (this.supervision.policy) {
      case 'resume':
        return;
      case 'stop':
        this.finalStop(`failed: ${message}`);
        return;
      case 'escalate':
        this.finalStop(`failed: ${message}`);
        this.parent?.enqueueSystem({ type: 'childFailed', child: this.id.name, error: err });
        return;
      case 'restart': {
        const now = Date.now();
        this.failures = (this.failures ?? []).filter((t) => now - t < this.supervision.windowMs);
        this.failures.push(now);
        const n = this.failures.length;
        const delay =
          n <= 1 ? 0 : Math.min(this.supervision.backoffBaseMs * 2 ** (n - 2), this.supervision.backoffMaxMs);
        this.prepareRestart();
        if (delay === 0) {
          this.reinit();
        } else {
          this.status = 'suspended';
          this.restartTimer = setTimeout(() => {
            this.restartTimer = undefined;
            if (this.status !== 'suspended') return;
            this.status = 'scheduled';
            this.system ??= new Queue<SystemMessage>(4);
            this.system.push({ type: 'restart' });
            this.host.dispatcher.schedule(this);
          }, delay);
        }
        return;
      }
    }
  }

  private prepareRestart(): void {
    this.clearTimers();
    if (this.children) for (const child of this.children) child.stopNow('parent restarting');
  }

  private reinit(): void {
    try {
      this.state = this.def.init(this.args, this.ctx);
      this.log.debug('actor restarted');
    } catch (err) {
      this.failed(err, 'init');
    }
  }

  /** Asks the actor to stop after what it is doing (a system message). */
  requestStop(reason: string): void {
    if (this.status === 'running' || this.status === 'awaiting') {
      this.stopRequested ??= reason;
      return;
    }
    if (this.status === 'suspended') {
      this.finalStop(reason);
      return;
    }
    this.enqueueSystem({ type: 'stop', reason });
  }

  /** Stops at once (node shutdown, parent stop). */
  stopNow(reason: string): void {
    if (this.status === 'running') {
      this.stopRequested ??= reason;
      return;
    }
    this.finalStop(reason);
  }

  /** @internal */
  finalStop(reason: string): void {
    if (this.status === 'stopped') return;
    this.status = 'stopped';
    this.stopRequested = undefined;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.clearTimers();
    if (this.children) for (const child of this.children) child.stopNow(`parent stopped: ${reason}`);
    for (const env of this.mailbox.drain()) {
      if (env.replier)
        env.replier.fail({ code: 'ACTOR_STOPPED', message: `${this.self} stopped: ${reason}` });
      else if (env.handler !== TIMER_HANDLER)
        this.host.deadLetter(this.id, env.handler, `actor stopped: ${reason}`);
    }
    this.system = undefined;
    const hook = this.def.onStop;
    if (hook !== undefined) {
      try {
        const r = hook(this.state, reason, this.ctx);
        if (isThenable(r)) r.then(undefined, (err) => this.log.warn({ err }, 'onStop failed'));
      } catch (err) {
        this.log.warn({ err }, 'onStop failed');
      }
    }
    this.host.cellStopped(this, reason);
  }

  private clearTimers(): void {
    if (this.timers === undefined) return;
    for (const t of this.timers) clearTimeout(t);
    this.timers = undefined;
  }

  /**
   * @internal Routes a timer callback through the mailbox, so it never runs beside a handler. A tick
   * that finds the mailbox full is dropped (a dead letter), like any message past the limit.
   */
  fireTimer(fn: () => void): void {
    if (this.status === 'stopped') return;
    if (this.mailbox.length >= this.limit) {
      this.host.deadLetter(this.id, 'timer', 'mailbox full');
      return;
    }
    this.mailbox.push(new Envelope(TIMER_HANDLER, fn, 0, undefined, undefined));
    if (this.status === 'idle') {
      this.status = 'scheduled';
      this.host.dispatcher.schedule(this);
    }
  }
}
