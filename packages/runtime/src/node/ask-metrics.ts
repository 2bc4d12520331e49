// Ask counters: asks started, asks settled by a bounded outcome, and a fixed-bucket latency histogram.
// Per ask they cost a clock read at start and at settle and a few typed-array writes; nothing is
// allocated (a start time kept on the ask would be a boxed double, one small object per ask).
import { RemoteError } from '../errors.js';
import { MAPPED_CODES } from './wire-errors.js';

/**
 * Upper bounds (seconds) of the ask latency histogram's buckets; a last, unbounded bucket follows.
 * From 50 µs (a local ask) to 10 s (past any sensible ask timeout), about three per decade.
 */
export const ASK_LATENCY_BUCKETS: readonly number[] = Object.freeze([
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

/** The outcome of an ask answered with a value. */
export const ASK_OK = 'ok';
/** The outcome of an ask whose handler rejected (the caller got `RemoteError`). */
export const ASK_REMOTE_ERROR = 'REMOTE_ERROR';
/** The outcome of an ask rejected with an error whose code the runtime does not define. */
export const ASK_OTHER = 'other';

/**
 * Every outcome an ask is counted under: `ok`, `REMOTE_ERROR`, the error codes the runtime and the
 * transport define (`TIMEOUT`, `NODE_DOWN`, `ACTOR_NOT_FOUND`, ...) and `other`. A fixed set, so a
 * handler's own codes cannot grow it.
 */
export const ASK_OUTCOMES: readonly string[] = Object.freeze([
  ASK_OK,
  ASK_REMOTE_ERROR,
  ...MAPPED_CODES,
  ASK_OTHER,
]);

const outcomeIndex = new Map(ASK_OUTCOMES.map((o, i) => [o, i]));
const OK = 0;
const REMOTE = 1;
const OTHER = ASK_OUTCOMES.length - 1;
const boundsMs = ASK_LATENCY_BUCKETS.map((s) => s * 1000);
const INITIAL_SLOTS = 64;

/** Ask figures as `node.stats()` reports them. */
export interface AskStats {
  /** Asks this node sent since it started (local and remote). */
  started: number;
  /** Of which not yet settled. */
  inFlight: number;
  /** Settled asks by outcome (only outcomes that occurred; see `ASK_OUTCOMES`). */
  settled: Record<string, number>;
  /** Time from sending to settling, over every settled ask. */
  latency: {
    /** Bucket upper bounds in seconds (`ASK_LATENCY_BUCKETS`). */
    bounds: readonly number[];
    /** Asks per bucket, not cumulative: `counts[i]` took at most `bounds[i]` and more than `bounds[i-1]`; the last entry counts those over every bound. */
    counts: number[];
    /** Sum of the latencies, seconds. */
    sum: number;
    /** Settled asks (the sum of `counts`). */
    count: number;
  };
}

/** The outcome index an ask rejected with `err` is counted under. */
function outcomeOf(err: Error): number {
  if (err instanceof RemoteError) return REMOTE;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? (outcomeIndex.get(code) ?? OTHER) : OTHER;
}

/** The counters of one node's asks. */
export class AskMetrics {
  #started = 0;
  readonly #outcomes = new Float64Array(ASK_OUTCOMES.length);
  readonly #buckets = new Float64Array(boundsMs.length + 1);
  #sumMs = 0;
  /** Start times of unsettled asks by slot, and a stack of the free slots; both grow by doubling. */
  #starts = new Float64Array(INITIAL_SLOTS);
  #free = Int32Array.from({ length: INITIAL_SLOTS }, (_, i) => INITIAL_SLOTS - 1 - i);
  #freeCount = INITIAL_SLOTS;

  /** Counts an ask as started and notes the time; returns the slot to hand to `settled`, once. */
  start(): number {
    this.#started++;
    if (this.#freeCount === 0) this.#grow();
    const slot = this.#free[--this.#freeCount]!;
    this.#starts[slot] = performance.now();
    return slot;
  }

  #grow(): void {
    const n = this.#starts.length;
    const starts = new Float64Array(n * 2);
    starts.set(this.#starts);
    this.#starts = starts;
    this.#free = new Int32Array(n * 2);
    for (let i = 0; i < n; i++) this.#free[i] = n * 2 - 1 - i;
    this.#freeCount = n;
  }

  /** The `performance.now()` time the ask of `slot` started at (while it is unsettled). */
  startedAt(slot: number): number {
    return this.#starts[slot]!;
  }

  /** Counts the ask of `slot` (from `start`) as settled: with a value, or with `err`. Frees the slot. */
  settled(slot: number, err: Error | undefined): void {
    this.#outcomes[err === undefined ? OK : outcomeOf(err)]!++;
    const ms = performance.now() - this.#starts[slot]!;
    this.#free[this.#freeCount++] = slot;
    this.#sumMs += ms;
    let i = 0;
    while (i < boundsMs.length && ms > boundsMs[i]!) i++;
    this.#buckets[i]!++;
  }

  /** A snapshot, with `inFlight` asks still pending. */
  stats(inFlight: number): AskStats {
    const settled: Record<string, number> = {};
    let count = 0;
    this.#outcomes.forEach((n, i) => {
      if (n > 0) settled[ASK_OUTCOMES[i]!] = n;
      count += n;
    });
    return {
      started: this.#started,
      inFlight,
      settled,
      latency: {
        bounds: ASK_LATENCY_BUCKETS,
        counts: Array.from(this.#buckets),
        sum: this.#sumMs / 1000,
        count,
      },
    };
  }
}
