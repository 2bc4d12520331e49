// Drives a Sender actor one burst per event-loop turn, never more than a window of casts ahead of the receivers.
import type { ActorRef } from '@troupe/runtime';
import { TELL_BATCH } from '../workload.js';
import type { Sender, Sink } from './actors.js';

/**
 * Casts the sender may have out before a receiver confirms them: about 4 MB of frames, the order of what
 * loopback socket buffers hold before the raw-TCP source sees `write()` return false. It stays well under a
 * mailbox's default limit (100,000 messages), so no cast is refused as a dead letter.
 */
export const WINDOW = 64 * TELL_BATCH;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A cast is fire-and-forget and Troupe queues what the socket cannot take yet, so a sender that never looks
 * back would only be stopped by the outbound buffer's limit. This pump is the actor-level `'drain'`: it asks
 * one sink on every receiving node for its count (an ask travels behind the casts sent before it on the same
 * link), at most one round of such asks at a time, and waits for the round when `WINDOW` casts are
 * unconfirmed.
 */
export class Pump {
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private sent = 0;
  private confirmed = 0;
  private round: Promise<void> | undefined;

  constructor(
    private readonly sender: ActorRef<typeof Sender>,
    /** One sink per remote receiving node; none when every target is local. */
    private readonly probes: readonly ActorRef<typeof Sink>[],
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
    // Held for `stop`, which reports the failure; until then it must not count as unhandled.
    this.loop.catch(() => {});
  }

  /** Resolves once the last burst is out; rejects with what stopped the loop early (a cast that threw). */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.sent = await this.sender.call.burst();
      this.round ??= this.confirm(this.sent);
      if (this.sent - this.confirmed >= WINDOW) await this.round;
      await nextTurn();
    }
    await this.round;
  }

  private async confirm(upTo: number): Promise<void> {
    try {
      await Promise.all(this.probes.map((p) => p.call.count()));
      this.confirmed = upTo;
    } finally {
      this.round = undefined;
    }
  }
}
