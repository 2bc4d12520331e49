import { describe, expect, it } from 'vitest';
import { INITIAL_WINDOW, LinkBudget, ReceiveWindow, SendWindow } from './window.js';

describe('SendWindow', () => {
  it('spends credit on sends and gets it back from grants, acknowledging sent bytes', () => {
    const w = new SendWindow();
    expect(w.credit).toBe(INITIAL_WINDOW);
    w.sent(INITIAL_WINDOW);
    expect(w.credit).toBe(0);
    expect(w.grant(1000)).toBe(1000);
    expect(w.credit).toBe(1000);
    expect(w.unacked).toBe(INITIAL_WINDOW - 1000);
  });

  it('acknowledges no more than was sent (a grant that widens the window)', () => {
    const w = new SendWindow();
    w.sent(10);
    expect(w.grant(1_000_000)).toBe(10);
    expect(w.unacked).toBe(0);
    expect(w.credit).toBe(INITIAL_WINDOW - 10 + 1_000_000);
  });
});

describe('ReceiveWindow', () => {
  it('refuses bytes past what was granted', () => {
    const r = new ReceiveWindow(INITIAL_WINDOW);
    expect(r.receive(INITIAL_WINDOW)).toBe(true);
    expect(r.receive(1)).toBe(false);
  });

  it('grants nothing while the reader holds the bytes, and the window once it read them', () => {
    const r = new ReceiveWindow(INITIAL_WINDOW);
    r.receive(INITIAL_WINDOW);
    expect(r.update(INITIAL_WINDOW)).toBe(0);
    expect(r.update(0)).toBe(INITIAL_WINDOW);
    expect(r.granted).toBe(2 * INITIAL_WINDOW);
  });

  it('waits for half a window of consumption before granting', () => {
    const r = new ReceiveWindow(INITIAL_WINDOW);
    r.receive(1000);
    expect(r.update(0)).toBe(0);
    r.receive(INITIAL_WINDOW / 2);
    expect(r.update(0)).toBe(INITIAL_WINDOW / 2 + 1000);
  });

  it('grants a larger configured window at once', () => {
    const r = new ReceiveWindow(4 * INITIAL_WINDOW);
    expect(r.update(0)).toBe(3 * INITIAL_WINDOW);
    expect(r.receive(4 * INITIAL_WINDOW)).toBe(true);
    expect(r.receive(1)).toBe(false);
  });
});

describe('ReceiveWindow tuning', () => {
  it('doubles up to maxWindow while the sender runs out of credit and the reader keeps up', () => {
    const r = new ReceiveWindow(INITIAL_WINDOW, 4 * INITIAL_WINDOW);
    r.receive(INITIAL_WINDOW);
    expect(r.update(0)).toBe(2 * INITIAL_WINDOW);
    expect(r.window).toBe(2 * INITIAL_WINDOW);
    r.receive(2 * INITIAL_WINDOW);
    r.update(0);
    expect(r.window).toBe(4 * INITIAL_WINDOW);
    r.receive(4 * INITIAL_WINDOW);
    r.update(0);
    expect(r.window).toBe(4 * INITIAL_WINDOW);
  });

  it('doubles when an update is due with the reader caught up, before the sender runs dry', () => {
    const r = new ReceiveWindow(INITIAL_WINDOW, 4 * INITIAL_WINDOW);
    r.receive(INITIAL_WINDOW / 2);
    expect(r.update(0)).toBe(INITIAL_WINDOW / 2 + INITIAL_WINDOW);
    expect(r.window).toBe(2 * INITIAL_WINDOW);
    expect(r.granted - r.received).toBe(2 * INITIAL_WINDOW);
  });

  it('does not grow for a reader that holds bytes back', () => {
    const r = new ReceiveWindow(INITIAL_WINDOW, 4 * INITIAL_WINDOW);
    r.receive(INITIAL_WINDOW);
    expect(r.update(INITIAL_WINDOW)).toBe(0);
    expect(r.window).toBe(INITIAL_WINDOW);
    expect(r.update(1000)).toBe(INITIAL_WINDOW - 1000);
    expect(r.window).toBe(INITIAL_WINDOW);
  });
});

describe('LinkBudget', () => {
  it('tracks bytes in flight against the cap', () => {
    const b = new LinkBudget(100);
    b.take(60);
    expect(b.available).toBe(40);
    b.take(50);
    expect(b.available).toBe(0);
    b.release(200);
    expect(b.inFlight).toBe(0);
  });
});
