// Event waits with deadlines for tests: wait on what happens, never on a sleep.
import type { EventEmitter } from 'eventemitter3';

type Listener = (...args: any[]) => void;

/**
 * Resolves with the arguments of the next `event` (that `filter` accepts) on `emitter`; rejects after
 * `timeoutMs`. Removes its listener and timer either way.
 */
export function once<A extends unknown[] = any[]>(
  emitter: EventEmitter<any> | NodeJS.EventEmitter,
  event: string,
  timeoutMs: number,
  filter?: (...args: A) => boolean,
): Promise<A> {
  const target = emitter as unknown as {
    on(e: string, l: Listener): void;
    off(e: string, l: Listener): void;
  };
  return new Promise<A>((resolve, reject) => {
    const timer = setTimeout(() => {
      target.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs}ms waiting for '${event}'`));
    }, timeoutMs);
    const listener = (...args: unknown[]) => {
      if (filter && !filter(...(args as A))) return;
      clearTimeout(timer);
      target.off(event, listener);
      resolve(args as A);
    };
    target.on(event, listener);
  });
}

/** Resolves once `predicate()` holds, checking every few milliseconds; rejects after `timeoutMs`. */
export function waitFor(predicate: () => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const check = () => {
      let ok = false;
      try {
        ok = predicate();
      } catch (err) {
        reject(err);
        return;
      }
      if (ok) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out after ${timeoutMs}ms waiting for ${what}`));
      else setTimeout(check, 5);
    };
    check();
  });
}

/** A seeded PRNG (mulberry32), so a failing randomised test can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Busy-waits, blocking this thread's event loop (stall injection). */
export function stallEventLoop(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}
