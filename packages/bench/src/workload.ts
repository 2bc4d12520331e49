// The message every remote scenario sends, and the load shapes every side of a scenario shares.
import { Packr } from 'msgpackr';

/** A chat-like message; about 100 bytes as msgpack. Build a fresh one per send, as an application would. */
export interface Body {
  seq: number;
  kind: string;
  from: string;
  room: string;
  text: string;
  ts: number;
}

export function makeBody(seq: number): Body {
  return {
    seq,
    kind: 'chat.say',
    from: 'user:000123',
    room: 'room:0042',
    text: 'hello from the benchmark',
    ts: 1_700_000_000_000,
  };
}

/** The codec the raw baselines use: msgpackr without record structures, as Troupe's body codec. */
export function makePackr(): Packr {
  return new Packr({ useRecords: false });
}

/**
 * One-way senders emit this many messages per event-loop turn, then yield (setImmediate), and wait for the
 * socket's 'drain' when its write buffer is full.
 */
export const TELL_BATCH = 512;

/** Actors spawned by actor-memory (fewer under --quick). */
export const MEMORY_ACTORS = 200_000;
export const MEMORY_ACTORS_QUICK = 20_000;
