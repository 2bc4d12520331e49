// Worker for the in-process baselines: bare mailbox ping-pong, bare promise asks, bare actor memory.
import { timedRun } from '../harness.js';
import { type Peer, servePeer } from '../peer.js';
import type { Sample, Window } from '../sides.js';
import { bareActorBytes } from './bare-actor-memory.js';
import { bareMailboxPingPong } from './bare-mailbox.js';
import { barePromiseAsks } from './bare-promise.js';

const peer: Peer = {
  commands: {
    async tell(w: Window): Promise<Sample> {
      return { value: await timedRun(w, bareMailboxPingPong) };
    },
    async ask(w: Window & { inFlight: number }): Promise<Sample> {
      return { value: await timedRun(w, (ms) => barePromiseAsks(ms, w.inFlight)) };
    },
    memory(arg: { actors: number }): Sample {
      return { value: bareActorBytes(arg.actors) };
    },
  },
};

servePeer(() => peer);
