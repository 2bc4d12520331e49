import { describe, expect, it } from 'vitest';
import { canReceive, canSend, isFinal, type StreamState, transition } from './state.js';

describe('stream state machine', () => {
  it('closes cleanly after a FIN each way, in either order', () => {
    let s: StreamState = 'open';
    s = transition(s, 'sendFin')!;
    expect(s).toBe('localClosed');
    expect(canSend(s)).toBe(false);
    expect(canReceive(s)).toBe(true);
    s = transition(s, 'recvFin')!;
    expect(s).toBe('closed');
    expect(isFinal(s)).toBe(true);

    let t: StreamState = transition('open', 'recvFin')!;
    expect(t).toBe('remoteClosed');
    expect(canSend(t)).toBe(true);
    expect(canReceive(t)).toBe(false);
    t = transition(t, 'sendFin')!;
    expect(t).toBe('closed');
  });

  it('resets from any live state and allows nothing after the end', () => {
    for (const s of ['open', 'localClosed', 'remoteClosed'] as const)
      expect(transition(s, 'reset')).toBe('reset');
    expect(transition('closed', 'reset')).toBeUndefined();
    expect(transition('reset', 'recvFin')).toBeUndefined();
    expect(canSend('reset')).toBe(false);
    expect(canReceive('closed')).toBe(false);
  });

  it('refuses a second FIN from the same side', () => {
    expect(transition('localClosed', 'sendFin')).toBeUndefined();
    expect(transition('remoteClosed', 'recvFin')).toBeUndefined();
  });
});
