// A stream's lifecycle: open, half-closed either way, closed, or reset. Pure, no I/O.

/**
 * - `open`: bytes flow both ways.
 * - `localClosed`: this side sent FIN (ended writing); the peer may still send.
 * - `remoteClosed`: the peer sent FIN; this side may still send.
 * - `closed`: both FINs exchanged, a clean end.
 * - `reset`: aborted by either side or by the link going down; nothing more flows.
 */
export type StreamState = 'open' | 'localClosed' | 'remoteClosed' | 'closed' | 'reset';

/** Events that move a stream between states. */
export type StreamEvent = 'sendFin' | 'recvFin' | 'reset';

const NEXT: Record<StreamState, Partial<Record<StreamEvent, StreamState>>> = {
  open: { sendFin: 'localClosed', recvFin: 'remoteClosed', reset: 'reset' },
  localClosed: { recvFin: 'closed', reset: 'reset' },
  remoteClosed: { sendFin: 'closed', reset: 'reset' },
  closed: {},
  reset: {},
};

/** The next state, or undefined when `event` is not allowed in `state` (a protocol violation). */
export function transition(state: StreamState, event: StreamEvent): StreamState | undefined {
  return NEXT[state][event];
}

/** Whether this side may still send data. */
export function canSend(state: StreamState): boolean {
  return state === 'open' || state === 'remoteClosed';
}

/** Whether the peer may still send data. */
export function canReceive(state: StreamState): boolean {
  return state === 'open' || state === 'localClosed';
}

/** Whether the stream is over and can be forgotten. */
export function isFinal(state: StreamState): boolean {
  return state === 'closed' || state === 'reset';
}
