// An actor's mailbox: user and system queues, the budgeted run loop, and what holds it (an async
// handler, a suspension, a close). Exceptions escaping a message never leave it stuck.
//
// The actor cell extends it and is its own invoker, so an idle actor costs no extra object.
import type { Runnable } from './dispatcher.js';
import type { Envelope, SystemMessage } from './envelope.js';
import { Queue } from './queue.js';

/** Runs what the mailbox hands over; its subclass (the actor cell) implements it. */
export interface MessageInvoker {
  system(msg: SystemMessage): void;
  user(env: Envelope): void;
  /** Something escaped a message (a bug, or a host listener that threw); the mailbox carries on. */
  escaped(err: unknown): void;
  /** A run ended (budget spent, queues empty, held or closed). */
  turnEnded(): void;
}

/** Where a mailbox with work goes: the node's dispatcher. */
export interface Scheduler {
  schedule(r: Runnable): void;
}

const IDLE = 0;
const SCHEDULED = 1;
const RUNNING = 2;
const CLOSED = 3;
/** Flag bits beside the state: an async handler or a restart backoff holds the mailbox (nothing runs
 * until `release`); suspended from outside (user messages wait, system messages still run). */
const HELD = 4;
const SUSPENDED = 8;
const STATE = 3;

export abstract class Mailbox implements Runnable, MessageInvoker {
  readonly #user = new Queue<Envelope>(8);
  #system: Queue<SystemMessage> | undefined;
  /** The state (low two bits) and the HELD and SUSPENDED flags, in one small integer. */
  #bits = IDLE;

  constructor(private readonly scheduler: Scheduler) {}

  abstract system(msg: SystemMessage): void;
  abstract user(env: Envelope): void;
  abstract escaped(err: unknown): void;
  abstract turnEnded(): void;

  // Plain (not `#`) accessors: private methods would cost every actor a brand slot.
  private get phase(): number {
    return this.#bits & STATE;
  }

  private set phase(phase: number) {
    this.#bits = (this.#bits & ~STATE) | phase;
  }

  private get isHeld(): boolean {
    return (this.#bits & HELD) !== 0;
  }

  /** User messages waiting. */
  get queued(): number {
    return this.#user.length;
  }

  get closed(): boolean {
    return this.phase === CLOSED;
  }

  get running(): boolean {
    return this.phase === RUNNING;
  }

  /** Neither scheduled, running, held nor closed. */
  get idle(): boolean {
    return this.#bits === IDLE || this.#bits === (IDLE | SUSPENDED);
  }

  get held(): boolean {
    return this.isHeld;
  }

  get suspended(): boolean {
    return (this.#bits & SUSPENDED) !== 0;
  }

  postUser(env: Envelope): void {
    if (this.phase === CLOSED) return;
    this.#user.push(env);
    if (this.phase === IDLE && !this.isHeld && !this.suspended) this.scheduleNow();
  }

  postSystem(msg: SystemMessage): void {
    if (this.phase === CLOSED) return;
    this.#system ??= new Queue<SystemMessage>(4);
    this.#system.push(msg);
    if (this.phase === IDLE && !this.isHeld) this.scheduleNow();
  }

  /** Stops the run after the current message until `release` (an async handler is pending). */
  hold(): void {
    this.#bits |= HELD;
  }

  release(): void {
    if (!this.isHeld) return;
    this.#bits &= ~HELD;
    if (this.phase === IDLE) this.scheduleIfWork();
  }

  /** Holds user messages back (system messages still run) until `resume`. */
  suspend(): void {
    this.#bits |= SUSPENDED;
  }

  resume(): void {
    if (!this.suspended) return;
    this.#bits &= ~SUSPENDED;
    if (this.phase === IDLE && !this.isHeld) this.scheduleIfWork();
  }

  /** Closes the mailbox and returns the user messages still queued, oldest first. */
  close(): Envelope[] {
    this.phase = CLOSED;
    this.#system = undefined;
    return this.#user.drain();
  }

  run(budget: number): number {
    if (this.phase !== SCHEDULED) return 0;
    this.phase = RUNNING;
    let n = 0;
    try {
      while (n < budget && !this.isHeld && this.phase === RUNNING) {
        const sys = this.#system?.shift();
        if (sys !== undefined) {
          n++;
          this.system(sys);
          continue;
        }
        if (this.suspended) break;
        const env = this.#user.shift();
        if (env === undefined) break;
        n++;
        this.user(env);
      }
    } catch (err) {
      this.reportEscape(err);
    } finally {
      if (this.phase === RUNNING) this.phase = IDLE;
      try {
        this.turnEnded();
      } catch (err) {
        this.reportEscape(err);
      }
      if (this.phase === IDLE && !this.isHeld) this.scheduleIfWork();
    }
    return n;
  }

  private reportEscape(err: unknown): void {
    try {
      this.escaped(err);
    } catch {
      // The reporter itself failed (a throwing logger): nothing is left to tell.
    }
  }

  private scheduleIfWork(): void {
    const system = this.#system !== undefined && this.#system.length > 0;
    if (system || (!this.suspended && this.#user.length > 0)) this.scheduleNow();
  }

  private scheduleNow(): void {
    this.phase = SCHEDULED;
    this.scheduler.schedule(this);
  }
}
