// Pending asks: each has an id, a deadline and one place that settles and unregisters it. Ids are
// random, so a peer cannot guess the id of an ask it did not receive.
import { randomFillSync } from 'node:crypto';
import { Addr, NodeDownError, type WireError } from '@troupe/transport';
import { checkDuration } from '../actor/duration.js';
import type { Replier } from '../actor/envelope.js';
import type { ActorId } from '../actor/ref.js';
import { AbortError, TimeoutError } from '../errors.js';
import { AskMetrics, type AskStats } from './ask-metrics.js';
import { IdTable } from './id-table.js';
import { fromWire } from './wire-errors.js';

/** One outstanding ask. It is its own `Replier`, so a local actor answers it directly. */
export class PendingAsk implements Replier {
  settled = false;
  readonly promise: Promise<unknown>;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Remote node the ask went to; undefined for a local ask. */
  peer: number | undefined;
  /** The harbors it travels through, when the target is in another group. */
  via: number | undefined;
  far: number | undefined;
  /** Where the metrics keep its start time (`AskMetrics.start`). */
  readonly clockSlot: number;
  private resolveFn!: (value: unknown) => void;
  private rejectFn!: (err: Error) => void;

  constructor(
    readonly table: AskTable,
    readonly id: number,
    readonly target: ActorId,
    readonly handler: string,
    readonly timeoutMs: number,
  ) {
    this.clockSlot = table.metrics.start();
    this.promise = new Promise<unknown>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
  }

  /** "ask <handler> to <node>/<name>", for error messages (built only when one is raised). */
  describe(): string {
    return `ask ${this.handler} to ${Addr.format(this.target.node as Addr)}/${this.target.name}`;
  }

  ok(value: unknown): void {
    if (this.settled) return;
    this.table.finish(this, undefined);
    this.resolveFn(value);
  }

  fail(error: WireError, thrown = false): void {
    this.reject(fromWire(error, thrown));
  }

  reject(err: Error): void {
    if (this.settled) return;
    this.table.finish(this, err);
    this.rejectFn(err);
  }
}

function expire(ask: PendingAsk): void {
  ask.reject(new TimeoutError(`${ask.describe()} timed out after ${ask.timeoutMs} ms`));
}

/** 32-bit random numbers from the system CSPRNG, drawn a pool at a time. */
function cryptoRandom(): () => number {
  const pool = new Uint32Array(256);
  let next = pool.length;
  return () => {
    if (next === pool.length) {
      randomFillSync(pool);
      next = 0;
    }
    return pool[next++]!;
  };
}

const ID_MASK = 0x3fffffff;

export class AskTable {
  /** Every unsettled ask by id: replies find remote ones, and a node stop settles them all. */
  private readonly pending = new IdTable<PendingAsk>();
  /** Asks started and settled, by outcome, and their latencies; its start times are the deadlines' base. */
  readonly metrics = new AskMetrics();
  #timer: NodeJS.Timeout | undefined;
  /** When `#timer` fires (`performance.now()` time); infinite when it is not armed. */
  #timerAt = Number.POSITIVE_INFINITY;

  /** `random` returns uniform 32-bit integers (a seeded source in tests); default the system CSPRNG. */
  constructor(private readonly random: () => number = cryptoRandom()) {}

  /**
   * A random id no pending ask holds, in 1..2^30-1: 30 random bits keep the id a small integer (a
   * heap number as a Map key would slow every ask) and still leave a forger one chance in a billion.
   */
  private newId(): number {
    for (;;) {
      const id = this.random() & ID_MASK;
      if (id !== 0 && !this.pending.has(id)) return id;
    }
  }

  /**
   * Creates an ask with its deadline and abort signal wired. A `timeoutMs` that is not a duration of
   * 1..2^31-1 ms rejects the ask with `OptionError` naming it.
   */
  create(target: ActorId, handler: string, timeoutMs: number, signal: AbortSignal | undefined): PendingAsk {
    const id = this.newId();
    const ask = new PendingAsk(this, id, target, handler, timeoutMs);
    try {
      checkDuration('timeoutMs', timeoutMs);
    } catch (err) {
      ask.reject(err as Error);
      return ask;
    }
    this.pending.set(id, ask);
    if (signal !== undefined) {
      if (signal.aborted) {
        ask.reject(new AbortError(`${ask.describe()} was aborted`, { cause: signal.reason }));
        return ask;
      }
      ask.signal = signal;
      ask.onAbort = () =>
        ask.reject(new AbortError(`${ask.describe()} was aborted`, { cause: signal.reason }));
      signal.addEventListener('abort', ask.onAbort, { once: true });
    }
    this.#arm(this.metrics.startedAt(ask.clockSlot) + timeoutMs);
    return ask;
  }

  /**
   * Deadlines share one timer, armed for the earliest one: a timer per ask cost a `Timeout` object and
   * two timer-list updates per ask (3% of a remote caller's CPU). Asks mostly settle long before their
   * deadline, so the timer fires about once per timeout period, finds nothing due and re-arms. It is left
   * armed when the table empties (one ask at a time would otherwise set and clear it per ask) and is
   * unreferenced: it never keeps the process alive by itself, and a stop releases it (`rejectAll`).
   */
  #arm(deadline: number): void {
    if (deadline >= this.#timerAt) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = deadline;
    this.#timer = setTimeout(this.#sweep, Math.max(0, Math.ceil(deadline - performance.now())));
    this.#timer.unref();
  }

  /** Times out every ask past its deadline and re-arms for the earliest of the others. */
  readonly #sweep = (): void => {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const ask of this.pending.values()) {
      const deadline = this.metrics.startedAt(ask.clockSlot) + ask.timeoutMs;
      if (deadline <= now) expire(ask);
      else if (deadline < next) next = deadline;
    }
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next);
  };

  /**
   * Registers an ask sent to `peer` (through harbors `via` and `far`, if any), so its reply can find it
   * and the death of the peer or of a harbor on its path can reject it.
   */
  track(ask: PendingAsk, peer: number, via: number, far: number | undefined): void {
    if (ask.settled) return;
    ask.peer = peer;
    if (via !== peer) ask.via = via;
    if (far !== undefined && far !== via && far !== peer) ask.far = far;
  }

  /** Called once per ask when it settles: with the error it is rejected with, if any. */
  finish(ask: PendingAsk, err: Error | undefined): void {
    ask.settled = true;
    this.metrics.settled(ask.clockSlot, err);
    if (ask.onAbort !== undefined) ask.signal?.removeEventListener('abort', ask.onAbort);
    this.pending.delete(ask.id);
  }

  /** The remote ask `id` (a reply's); local asks are not answered by frames. */
  get(id: number): PendingAsk | undefined {
    const ask = this.pending.get(id);
    return ask?.peer === undefined ? undefined : ask;
  }

  /** Unsettled asks, local and remote. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Rejects every ask waiting on `peer`, or travelling through it, with `NodeDownError`. A peer's death
   * is rare next to asks, so this scans instead of keeping a per-peer index on the hot path.
   */
  peerDown(peer: number, reason: string): number {
    let err: NodeDownError | undefined;
    let n = 0;
    for (const ask of this.pending.values()) {
      if (ask.peer === undefined) continue;
      if (ask.peer !== peer && ask.via !== peer && ask.far !== peer) continue;
      err ??= new NodeDownError(Addr.format(peer as Addr), reason);
      ask.reject(err);
      n++;
    }
    return n;
  }

  /** Ask counters and latencies, with the asks now pending. */
  stats(): AskStats {
    return this.metrics.stats(this.pending.size);
  }

  /** Rejects everything, local asks included, and releases the deadline timer (node stop). */
  rejectAll(err: Error): void {
    for (const ask of this.pending.values()) ask.reject(err);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }
}
