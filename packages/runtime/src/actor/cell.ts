// One live actor: its state and lifecycle (start, restart with backoff, stop), timers and children.
// The mailbox runs messages, the invoker settles replies, `decide` judges failures.
import type { Logger } from 'pino';
import { InvalidActorNameError, MailboxFullError } from '../errors.js';
import { CellContext } from './cell-context.js';
import type { ActorNodeApi } from './context.js';
import type { Deferred } from './deferred.js';
import type { AnyActorDefinition, SupervisionOptions, Terminated } from './define.js';
import type { Dispatcher } from './dispatcher.js';
import { Envelope, type SystemMessage } from './envelope.js';
import { Invoker, type InvokerCell } from './invoker.js';
import { Mailbox, type MessageInvoker } from './mailbox.js';
import type { ActorId, ActorRef } from './ref.js';
import type { SpawnOptions } from './spawn.js';
import { decide, type FailureSite, type ResolvedSupervision, supervisionOf } from './supervision.js';

/** Handler name of envelopes that carry an actor-owned timer callback through the mailbox. */
export const TIMER_HANDLER = '\0timer';

/** The longest actor name the wire carries (a str8). */
export const MAX_NAME_BYTES = 255;

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

/** Throws `InvalidActorNameError` for a name the wire cannot carry. */
export function checkActorName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0)
    throw new InvalidActorNameError('an actor name must be a non-empty string');
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_NAME_BYTES)
    throw new InvalidActorNameError(
      `actor name "${name.slice(0, 40)}…" is ${bytes} UTF-8 bytes, over the wire's ${MAX_NAME_BYTES}`,
    );
  return name;
}

export class ActorCell implements MessageInvoker, InvokerCell {
  readonly id: ActorId;
  readonly self: ActorRef<any>;
  #log: Logger | undefined;
  /** Child actors; made on the first spawn (idle actors carry none). */
  children: Set<ActorCell> | undefined;

  #state: unknown;
  #stopped = false;
  /** An async handler or callback holds the mailbox. */
  #awaiting = false;
  readonly #mailbox: Mailbox;
  readonly #invoker: Invoker;
  readonly #supervision: ResolvedSupervision;
  readonly #limit: number;
  readonly ctx: CellContext;
  /** @internal Set by a stop asked for while a message runs: the actor stops after it. */
  stopRequested: string | undefined;
  /** @internal */ timers: Set<NodeJS.Timeout> | undefined;
  #failures: number[] = [];
  #restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly host: CellHost,
    readonly def: AnyActorDefinition,
    name: string,
    nodeAddr: number,
    private readonly args: unknown,
    options: { supervision?: SupervisionOptions; mailboxLimit: number },
    readonly parent: ActorCell | undefined,
  ) {
    checkActorName(name);
    this.#supervision = supervisionOf(def, options.supervision);
    this.self = host.makeRef({ node: nodeAddr, name }, undefined, true);
    this.id = this.self;
    this.#limit = options.mailboxLimit;
    this.#mailbox = new Mailbox(this, host.dispatcher);
    this.#invoker = new Invoker(this);
    this.ctx = new CellContext(this, host);
  }

  /** This actor's child logger, made on first use (idle actors carry none). */
  get log(): Logger {
    this.#log ??= this.host.actorLogger(this.id.name);
    return this.#log;
  }

  get state(): unknown {
    return this.#state;
  }

  /** The message being handled, if any. */
  get current(): Envelope | undefined {
    return this.#invoker.current;
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
    this.#state = this.def.init(this.args, this.ctx);
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Neither running, scheduled nor waiting on an async handler. */
  get idle(): boolean {
    return this.#mailbox.idle;
  }

  get mailboxSize(): number {
    return this.#mailbox.length;
  }

  /** Whether user messages are held back (`suspend`). */
  get suspended(): boolean {
    return this.#mailbox.suspended;
  }

  /** Deferred replies handed out and not settled yet. */
  get openReplies(): number {
    return this.#invoker.openReplies;
  }

  /** Queues a user message; throws `MailboxFullError` at the limit. */
  enqueue(env: Envelope): void {
    if (this.#mailbox.length >= this.#limit) {
      throw new MailboxFullError(`mailbox of ${this.self} is full (${this.#limit} messages)`);
    }
    this.#mailbox.postUser(env);
  }

  /** Queues a system message, run before any user message. */
  enqueueSystem(msg: SystemMessage): void {
    this.#mailbox.postSystem(msg);
  }

  /** Holds user messages back (system messages, stop included, still run) until `resume`. */
  suspend(): void {
    this.#mailbox.suspend();
  }

  resume(): void {
    this.#mailbox.resume();
  }

  /** @internal `ctx.reply()`. */
  defer<T>(): Deferred<T> {
    return this.#invoker.defer<T>();
  }

  // ---- MessageInvoker (the mailbox calls these) ---------------------------------------------------

  user(env: Envelope): void {
    if (env.handler === TIMER_HANDLER) this.#invoker.callback(env.arg as () => unknown, 'timer');
    else this.#invoker.invoke(env);
    if (this.stopRequested !== undefined) this.#mailbox.hold();
  }

  system(msg: SystemMessage): void {
    switch (msg.type) {
      case 'stop':
        this.finalStop(msg.reason);
        return;
      case 'restart':
        this.#reinit();
        return;
      case 'childFailed':
        this.failed(msg.error, 'child');
        return;
      case 'terminated': {
        const hook = this.def.onTerminated;
        if (hook !== undefined)
          this.#invoker.callback(
            () => hook(this.#state, { ref: msg.ref, reason: msg.reason }, this.ctx),
            'terminated',
          );
        return;
      }
    }
  }

  escaped(err: unknown): void {
    this.log.error({ err }, 'error escaped a message run');
  }

  turnEnded(): void {
    if (this.stopRequested !== undefined && !this.#awaiting) this.finalStop(this.stopRequested);
  }

  // ---- InvokerCell (the invoker calls these) ------------------------------------------------------

  hold(): void {
    this.#awaiting = true;
    this.#mailbox.hold();
  }

  asyncSettled(): void {
    this.#awaiting = false;
    if (this.#stopped) return;
    if (this.stopRequested !== undefined) this.finalStop(this.stopRequested);
    else if (this.#restartTimer === undefined) this.#mailbox.release();
  }

  unknownHandler(env: Envelope): void {
    env.replier?.fail({ code: 'UNKNOWN_HANDLER', message: `${this.self} has no handler "${env.handler}"` });
    this.host.deadLetter(this.id, env.handler, 'unknown handler');
  }

  /** Applies the supervision decision to a failure. */
  failed(err: unknown, site: FailureSite): void {
    const d = decide(site, this.#supervision, this.#failures, Date.now());
    if (d.action === 'ignore') {
      if (site === 'ask') this.log.debug({ err }, 'ask rejected by its handler');
      else this.log.warn({ err, site }, 'actor handler failed; state kept');
      return;
    }
    this.log.warn({ err, site, action: d.action }, 'actor failed');
    const message = err instanceof Error ? err.message : String(err);
    switch (d.action) {
      case 'resume':
        return;
      case 'stop':
        this.finalStop(`failed: ${message}`);
        return;
      case 'escalate':
        this.finalStop(`failed: ${message}`);
        this.parent?.enqueueSystem({ type: 'childFailed', child: this.id.name, error: err });
        return;
      case 'restart':
        this.#failures = d.history;
        this.#prepareRestart();
        if (d.delayMs === 0) {
          this.#reinit();
          return;
        }
        this.#mailbox.hold();
        this.#restartTimer = setTimeout(() => {
          this.#restartTimer = undefined;
          if (this.#stopped) return;
          this.#mailbox.postSystem({ type: 'restart' });
          if (!this.#awaiting) this.#mailbox.release();
        }, d.delayMs);
        return;
    }
  }

  #prepareRestart(): void {
    this.#clearTimers();
    if (this.children) for (const child of this.children) child.stopNow('parent restarting');
  }

  #reinit(): void {
    try {
      this.#state = this.def.init(this.args, this.ctx);
      this.log.debug('actor restarted');
    } catch (err) {
      this.failed(err, 'init');
    }
  }

  // ---- stopping -----------------------------------------------------------------------------------

  /** Asks the actor to stop after what it is doing (a system message). */
  requestStop(reason: string): void {
    if (this.#stopped) return;
    if (this.#mailbox.running || this.#awaiting) {
      this.stopRequested ??= reason;
      if (this.#mailbox.running) this.#mailbox.hold();
      return;
    }
    if (this.#restartTimer !== undefined) {
      this.finalStop(reason);
      return;
    }
    this.#mailbox.postSystem({ type: 'stop', reason });
  }

  /**
   * Stops as soon as the message being handled is done: at once when none is, after the running
   * message or the pending async handler otherwise (`node.stop` drains these, then `forceStop`s).
   * Queued messages are not run.
   */
  stopNow(reason: string): void {
    if (this.#stopped) return;
    if (this.#mailbox.running || this.#awaiting) {
      this.stopRequested ??= reason;
      if (this.#mailbox.running) this.#mailbox.hold();
      return;
    }
    this.finalStop(reason);
  }

  /** Whether a handler is running or an async one is pending (what a draining stop waits for). */
  get busy(): boolean {
    return this.#mailbox.running || this.#awaiting;
  }

  /** Stops now, failing an async handler's pending ask with `ActorStoppedError`. */
  forceStop(reason: string): void {
    this.finalStop(reason);
  }

  /** @internal */
  finalStop(reason: string): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#awaiting = false;
    this.stopRequested = undefined;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    this.#clearTimers();
    const why = `${this.self} stopped: ${reason}`;
    try {
      this.#invoker.abandon(why);
      if (this.children) for (const child of this.children) child.stopNow(`parent stopped: ${reason}`);
      for (const env of this.#mailbox.close()) {
        if (env.replier) env.replier.fail({ code: 'ACTOR_STOPPED', message: why });
        else if (env.handler !== TIMER_HANDLER)
          this.host.deadLetter(this.id, env.handler, `actor stopped: ${reason}`);
      }
      this.#runOnStop(reason);
    } finally {
      // Whatever threw above, the node must forget the actor and tell its watchers.
      this.host.cellStopped(this, reason);
    }
  }

  #runOnStop(reason: string): void {
    const hook = this.def.onStop;
    if (hook === undefined) return;
    try {
      const r = hook(this.#state, reason, this.ctx);
      if (r instanceof Promise) r.then(undefined, (err) => this.log.warn({ err }, 'onStop failed'));
    } catch (err) {
      this.log.warn({ err }, 'onStop failed');
    }
  }

  #clearTimers(): void {
    if (this.timers === undefined) return;
    for (const t of this.timers) clearTimeout(t);
    this.timers = undefined;
  }

  /**
   * @internal Routes a timer callback through the mailbox, so it never runs beside a handler. A tick
   * that finds the mailbox full is dropped (a dead letter), like any message past the limit.
   */
  fireTimer(fn: () => void): void {
    if (this.#stopped) return;
    if (this.#mailbox.length >= this.#limit) {
      this.host.deadLetter(this.id, 'timer', 'mailbox full');
      return;
    }
    this.#mailbox.postUser(new Envelope(TIMER_HANDLER, fn, 0, undefined, undefined));
  }
}
