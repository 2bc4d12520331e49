// An actor's mailbox: user and system queues, the budgeted run loop, and what holds it (an async
// handler, a suspension, a close). Exceptions escaping a message never leave it stuck.
import type { Runnable } from './dispatcher.js';
import type { Envelope, SystemMessage } from './envelope.js';
import { Queue } from './queue.js';

/** Runs what the mailbox hands over; the actor cell implements it. */
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

export class Mailbox implements Runnable {
  readonly #user = new Queue<Envelope>(8);
  #system: Queue<SystemMessage> | undefined;
  #state = IDLE;
  /** An async handler or a restart backoff holds the mailbox: nothing runs until `release`. */
  #held = false;
  /** Suspended from outside (back-pressure): user messages wait, system messages still run. */
  #suspended = false;

  constructor(
    private readonly invoker: MessageInvoker,
    private readonly scheduler: Scheduler,
  ) {}

  /** User messages waiting. */
  get length(): number {
    return this.#user.length;
  }

  get closed(): boolean {
    return this.#state === CLOSED;
  }

  get running(): boolean {
    return this.#state === RUNNING;
  }

  get idle(): boolean {
    return this.#state === IDLE && !this.#held;
  }

  get held(): boolean {
    return this.#held;
  }

  get suspended(): boolean {
    return this.#suspended;
  }

  postUser(env: Envelope): void {
    if (this.#state === CLOSED) return;
    this.#user.push(env);
    if (this.#state === IDLE && !this.#held && !this.#suspended) this.#schedule();
  }

  postSystem(msg: SystemMessage): void {
    if (this.#state === CLOSED) return;
    this.#system ??= new Queue<SystemMessage>(4);
    this.#system.push(msg);
    if (this.#state === IDLE && !this.#held) this.#schedule();
  }

  /** Stops the run after the current message until `release` (an async handler is pending). */
  hold(): void {
    this.#held = true;
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    if (this.#state === IDLE) this.#scheduleIfWork();
  }

  /** Holds user messages back (system messages still run) until `resume`. */
  suspend(): void {
    this.#suspended = true;
  }

  resume(): void {
    if (!this.#suspended) return;
    this.#suspended = false;
    if (this.#state === IDLE && !this.#held) this.#scheduleIfWork();
  }

  /** Closes the mailbox and returns the user messages still queued, oldest first. */
  close(): Envelope[] {
    this.#state = CLOSED;
    this.#system = undefined;
    return this.#user.drain();
  }

  run(budget: number): number {
    if (this.#state !== SCHEDULED) return 0;
    this.#state = RUNNING;
    let n = 0;
    try {
      while (n < budget && !this.#held && this.#state === RUNNING) {
        const sys = this.#system?.shift();
        if (sys !== undefined) {
          n++;
          this.invoker.system(sys);
          continue;
        }
        if (this.#suspended) break;
        const env = this.#user.shift();
        if (env === undefined) break;
        n++;
        this.invoker.user(env);
      }
    } catch (err) {
      this.#report(err);
    } finally {
      if (this.#state === RUNNING) this.#state = IDLE;
      try {
        this.invoker.turnEnded();
      } catch (err) {
        this.#report(err);
      }
      if (this.#state === IDLE && !this.#held) this.#scheduleIfWork();
    }
    return n;
  }

  #report(err: unknown): void {
    try {
      this.invoker.escaped(err);
    } catch {
      // The reporter itself failed (a throwing logger): nothing is left to tell.
    }
  }

  #scheduleIfWork(): void {
    const system = this.#system !== undefined && this.#system.length > 0;
    if (system || (!this.#suspended && this.#user.length > 0)) this.#schedule();
  }

  #schedule(): void {
    this.#state = SCHEDULED;
    this.scheduler.schedule(this);
  }
}
