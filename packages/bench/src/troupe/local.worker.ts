// Worker for Troupe's in-process sides: ping-pong by cast, asks on one node, and heap bytes per idle actor.
import { Node } from '@troupe/runtime';
import { timedRun } from '../harness.js';
import { type Peer, servePeer } from '../peer.js';
import type { Sample, Window } from '../sides.js';
import { Echo, Idle, Player, type Rally } from './actors.js';

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('actor memory needs node --expose-gc');
  gc();
  gc();
}

/** Heap bytes per idle actor, `count` of them spawned by name on a started node; run in a fresh process. */
async function actorBytes(count: number): Promise<number> {
  const node = await Node.start({ addr: '1.1.1', secret: 'troupe-bench' });
  collect();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < count; i++) node.spawn(Idle, { name: `actor-${i}` });
  collect();
  const after = process.memoryUsage().heapUsed;
  if (node.actorCount !== count) throw new Error(`node holds ${node.actorCount} actors, not ${count}`);
  return (after - before) / count;
}

/** Options of this worker: `memory` for actor-memory's fresh process, nothing for the rate sides. */
export interface LocalWorkerOptions {
  memory?: boolean;
}

function memoryPeer(): Peer {
  return {
    commands: {
      async memory(arg: { actors: number }): Promise<Sample> {
        return { value: await actorBytes(arg.actors) };
      },
    },
  };
}

async function ratePeer(): Promise<Peer> {
  const node = await Node.start({ addr: '1.1.1', secret: 'troupe-bench' });
  const rally: { current: Rally | undefined } = { current: undefined };
  const ping = node.spawn(Player, { name: 'ping', args: { peer: 'pong', rally } });
  node.spawn(Player, { name: 'pong', args: { peer: 'ping', rally } });
  const echo = node.spawn(Echo, { name: 'echo' });

  /** One rally of `ms`: returns messages delivered, both directions counted. */
  const pingPong = (ms: number): Promise<number> =>
    new Promise((done) => {
      rally.current = { deadline: performance.now() + ms, delivered: 0, done };
      ping.cast.ball(0);
    });

  /** `inFlight` loops each awaiting one local ask at a time for `ms`; returns completed asks. */
  const asks = async (ms: number, inFlight: number): Promise<number> => {
    const deadline = performance.now() + ms;
    let done = 0;
    let running = true;
    const loop = async (): Promise<void> => {
      while (running) {
        await echo.call.echo(done);
        done++;
        if ((done & 255) === 0 && performance.now() >= deadline) running = false;
      }
    };
    await Promise.all(Array.from({ length: inFlight }, loop));
    return done;
  };

  return {
    commands: {
      async tell(w: Window): Promise<Sample> {
        return { value: await timedRun(w, pingPong) };
      },
      async ask(w: Window & { inFlight: number }): Promise<Sample> {
        return { value: await timedRun(w, (ms) => asks(ms, w.inFlight)) };
      },
    },
  };
}

servePeer<LocalWorkerOptions>((o) => (o.memory === true ? memoryPeer() : ratePeer()));
