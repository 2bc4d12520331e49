// The floor for local-tell: an array mailbox per actor, drained by queueMicrotask when it goes non-empty.

/** Drained slots kept before the queue array is replaced by a fresh one. */
const RECYCLE_AFTER = 1024;

/** The least an actor mailbox can be: a queue, a handler, and one scheduled drain at a time. */
export class BareMailbox<M> {
  private queue: M[] = [];
  private head = 0;
  private scheduled = false;
  /** Made on first post: a closure per idle actor would triple its size (see actor-memory's bare figure). */
  private drainTask: (() => void) | undefined;

  constructor(private readonly handler: (message: M) => void) {}

  post(message: M): void {
    this.queue.push(message);
    if (!this.scheduled) {
      this.scheduled = true;
      this.drainTask ??= () => this.drain();
      queueMicrotask(this.drainTask);
    }
  }

  private drain(): void {
    const queue = this.queue;
    while (this.head < queue.length) {
      const message = queue[this.head]!;
      this.head++;
      this.handler(message);
    }
    // Truncating the array on every drain costs more than the messages; swap it out once in a while instead.
    if (this.head >= RECYCLE_AFTER) {
      this.queue = [];
      this.head = 0;
    }
    this.scheduled = false;
  }
}

/**
 * Ping-pong between two bare mailboxes, one message in flight, for `ms`; returns messages delivered (both
 * directions count). The clock is read every 1024 messages.
 */
export function bareMailboxPingPong(ms: number): Promise<number> {
  return new Promise((resolve) => {
    const deadline = performance.now() + ms;
    let delivered = 0;
    let stopped = false;
    const deliver = (to: BareMailbox<number>, n: number): void => {
      delivered++;
      if ((delivered & 1023) === 0 && performance.now() >= deadline) {
        stopped = true;
        resolve(delivered);
      }
      if (!stopped) to.post(n + 1);
    };
    const ping: BareMailbox<number> = new BareMailbox((n) => deliver(pong, n));
    const pong: BareMailbox<number> = new BareMailbox((n) => deliver(ping, n));
    ping.post(0);
  });
}
