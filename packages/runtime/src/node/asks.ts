// Pending asks: each has an id, a deadline and one place that settles and unregisters it.
import { Addr, NodeDownError, type WireError } from '@troupe/transport';
import type { Replier } from '../actor/envelope.js';
import { AbortError, TimeoutError } from '../errors.js';
import { fromWire } from './wire-errors.js';

/** One outstanding ask. It is its own `Replier`, so a local actor answers it directly. */
export class PendingAsk implements Replier {
  settled = false;
  timer: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Remote node the ask went to; undefined for a local ask. */
  peer: number | undefined;
  /** The harbors it travels through, when the target is in another group. */
  via: number | undefined;
  far: number | undefined;

  constructor(
    readonly table: AskTable,
    readonly id: number,
    private readonly resolveFn: (value: unknown) => void,
    private readonly rejectFn: (err: Error) => void,
  ) {}

  ok(value: unknown): void {
    if (this.settled) return;
    this.table.finish(this);
    this.resolveFn(value);
  }

  fail(error: WireError, thrown = false): void {
    this.reject(fromWire(error, thrown));
  }

  reject(err: Error): void {
    if (this.settled) return;
    this.table.finish(this);
    this.rejectFn(err);
  }
}

export class AskTable {
  private nextId = 1;
  private readonly remote = new Map<number, PendingAsk>();
  private readonly byPeer = new Map<number, Set<PendingAsk>>();

  /** Creates an ask with its deadline and abort signal wired; `describe` names it in errors. */
  create(
    timeoutMs: number,
    signal: AbortSignal | undefined,
    describe: () => string,
  ): { ask: PendingAsk; promise: Promise<unknown> } {
    let resolveFn!: (v: unknown) => void;
    let rejectFn!: (e: Error) => void;
    const promise = new Promise<unknown>((res, rej) => {
      resolveFn = res;
      rejectFn = rej;
    });
    const id = this.nextId;
    this.nextId = id >= 0x7fffffff ? 1 : id + 1;
    const ask = new PendingAsk(this, id, resolveFn, rejectFn);
    if (signal !== undefined) {
      if (signal.aborted) {
        ask.reject(new AbortError(`${describe()} was aborted`, { cause: signal.reason }));
        return { ask, promise };
      }
      ask.signal = signal;
      ask.onAbort = () => ask.reject(new AbortError(`${describe()} was aborted`, { cause: signal.reason }));
      signal.addEventListener('abort', ask.onAbort, { once: true });
    }
    ask.timer = setTimeout(
      () => ask.reject(new TimeoutError(`${describe()} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    return { ask, promise };
  }

  /**
   * Registers an ask sent to `peer` (through harbor `via`, if any), so its reply can find it and the
   * death of the peer or of the harbor can reject it.
   */
  track(ask: PendingAsk, peer: number, via: number, far: number | undefined): void {
    if (ask.settled) return;
    ask.peer = peer;
    this.remote.set(ask.id, ask);
    this.index(peer, ask);
    if (via !== peer) {
      ask.via = via;
      this.index(via, ask);
    }
    if (far !== undefined && far !== via && far !== peer) {
      ask.far = far;
      this.index(far, ask);
    }
  }

  private index(key: number, ask: PendingAsk): void {
    let set = this.byPeer.get(key);
    if (set === undefined) {
      set = new Set();
      this.byPeer.set(key, set);
    }
    set.add(ask);
  }

  private unindex(key: number, ask: PendingAsk): void {
    const set = this.byPeer.get(key);
    if (set === undefined) return;
    set.delete(ask);
    if (set.size === 0) this.byPeer.delete(key);
  }

  /** Called once per ask when it settles. */
  finish(ask: PendingAsk): void {
    ask.settled = true;
    if (ask.timer !== undefined) clearTimeout(ask.timer);
    if (ask.onAbort !== undefined) ask.signal?.removeEventListener('abort', ask.onAbort);
    if (ask.peer !== undefined) {
      this.remote.delete(ask.id);
      this.unindex(ask.peer, ask);
      if (ask.via !== undefined) this.unindex(ask.via, ask);
      if (ask.far !== undefined) this.unindex(ask.far, ask);
    }
  }

  get(id: number): PendingAsk | undefined {
    return this.remote.get(id);
  }

  get size(): number {
    return this.remote.size;
  }

  /** Rejects every ask waiting on `peer` (or travelling through it) with `NodeDownError`. */
  peerDown(peer: number, reason: string): number {
    const set = this.byPeer.get(peer);
    if (set === undefined) return 0;
    const asks = [...set];
    const err = new NodeDownError(Addr.format(peer as Addr), reason);
    for (const ask of asks) ask.reject(err);
    return asks.length;
  }

  /** Rejects everything (node stop). */
  rejectAll(err: Error): void {
    for (const ask of [...this.remote.values()]) ask.reject(err);
  }
}
