import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FailureDetector, type WatchedConnection, type WatchedLink } from './failure-detector.js';

const log = pino({ level: 'silent' });

/** A fake link with a connection whose clock reading of the last bytes the test sets. */
function fakeLink(clock: { now: number }) {
  const conn = {
    lastReceived: clock.now,
    pings: 0,
    aborted: undefined as string | undefined,
    ping() {
      this.pings++;
    },
    abort(reason: string) {
      this.aborted = reason;
      link.conn = null;
    },
  };
  const link: { conn: (WatchedConnection & typeof conn) | null; paused: boolean; log: typeof log } = {
    conn,
    paused: false,
    log,
  };
  return { link: link as WatchedLink & typeof link, conn };
}

describe('FailureDetector (fake timers)', () => {
  const clock = { now: 0 };
  let links: WatchedLink[];
  let detector: FailureDetector;

  beforeEach(() => {
    vi.useFakeTimers();
    clock.now = 0;
    links = [];
    // downTimeoutMs 1000, heartbeats every 200: silence judged every 100 ms.
    detector = new FailureDetector(
      { downTimeoutMs: 1000, heartbeatIntervalMs: 200 },
      () => links,
      log,
      () => clock.now,
    );
    detector.start();
  });

  afterEach(() => {
    detector.stop();
    vi.useRealTimers();
  });

  /** Advances both the fake timers and the detector's clock by `ms`, tick by tick. */
  function advance(ms: number): void {
    for (let i = 0; i < ms / 100; i++) {
      clock.now += 100;
      vi.advanceTimersByTime(100);
    }
  }

  it('judges every min(heartbeat, down/10) and pings every link once per heartbeat interval', () => {
    expect(detector.checkIntervalMs).toBe(100);
    const { link, conn } = fakeLink(clock);
    links.push(link);
    advance(1000);
    expect(conn.pings).toBe(5);
  });

  it('declares a link silent for more than downTimeoutMs down, and not one that talks', () => {
    const silent = fakeLink(clock);
    const chatty = fakeLink(clock);
    links.push(silent.link, chatty.link);
    for (let i = 0; i < 10; i++) {
      advance(100);
      chatty.conn.lastReceived = clock.now;
    }
    expect(silent.conn.aborted).toBeUndefined();
    advance(200);
    expect(silent.conn.aborted).toMatch(/^heartbeat timeout: silent for 1\d{3}ms$/);
    expect(chatty.conn.aborted).toBeUndefined();
  });

  it('judges nobody on a tick that comes late (our own loop stalled), and judges on the next punctual one', () => {
    const { link, conn } = fakeLink(clock);
    links.push(link);
    advance(500);
    // A 2 s stall: the clock jumps, the interval fires once, late.
    clock.now += 2000;
    vi.advanceTimersByTime(100);
    expect(conn.aborted).toBeUndefined();
    // Still silent on the next punctual ticks: now it is judged.
    advance(200);
    expect(conn.aborted).toMatch(/heartbeat timeout/);
  });

  it('re-checks a suspect after the poll phase: bytes read meanwhile save it', () => {
    const { link, conn } = fakeLink(clock);
    links.push(link);
    clock.now += 1100;
    // The tick finds it silent and schedules the re-check; bytes arrive before the re-check runs.
    vi.advanceTimersToNextTimer();
    conn.lastReceived = clock.now;
    vi.advanceTimersByTime(0);
    expect(conn.aborted).toBeUndefined();
  });

  it('never judges a paused link', () => {
    const { link, conn } = fakeLink(clock);
    link.paused = true;
    links.push(link);
    advance(5000);
    expect(conn.aborted).toBeUndefined();
  });

  it('stop() clears its timer', () => {
    const { link, conn } = fakeLink(clock);
    links.push(link);
    detector.stop();
    advance(5000);
    expect(conn.pings).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
