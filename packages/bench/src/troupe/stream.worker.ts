// Worker for stream-bulk: a node with streams; the sink side counts bytes, the source side writes them.
import { Addr, defineActor, Node, staticMembership, streams, type TroupeStream } from '@troupe/runtime';
import { cpuUs } from '../bulk-side.js';
import { type Peer, servePeer } from '../peer.js';
import type { Member } from './cluster.js';

export interface StreamWorkerOptions {
  self: string;
  members: Member[];
  /** The node whose `sink` actor the source opens streams to; absent on the sink side. */
  target?: string;
  chunk: number;
}

/** Counts the bytes of every stream it accepts; a stream opened with `meta.stall` is never read. */
const Sink = defineActor({
  init: (counter: { bytes: number }) => counter,
  handlers: {
    stream(counter, s: TroupeStream) {
      s.on('error', () => {});
      if ((s.meta as { stall?: boolean } | null)?.stall === true) {
        s.pause();
        return;
      }
      s.on('data', (c: Buffer) => {
        counter.bytes += c.length;
      });
    },
  },
});

/** Writes `chunk` into `s` for as long as `running()` holds, honouring backpressure; counts accepted bytes. */
function writeLoop(
  s: TroupeStream,
  chunk: Buffer,
  running: () => boolean,
  counted: { bytes: number },
): Promise<void> {
  return new Promise((resolve) => {
    const pump = (): void => {
      while (running()) {
        const ok = s.write(chunk, () => {
          counted.bytes += chunk.length;
        });
        if (!ok) {
          s.once('drain', pump);
          return;
        }
      }
      resolve();
    };
    s.once('close', resolve);
    pump();
  });
}

servePeer<StreamWorkerOptions>(async (o): Promise<Peer> => {
  const ext = streams();
  const port = o.members.find((m) => m.addr === o.self)!.port;
  const node = await Node.start({
    addr: o.self,
    secret: 'troupe-bench',
    listen: { port },
    membership: staticMembership(o.members.map((m) => ({ addr: m.addr, port: m.port }))),
    extensions: [ext],
  });
  const counter = { bytes: 0 };
  const mark = () => ({ count: counter.bytes, t: performance.now(), cpuUs: cpuUs() });
  if (o.target === undefined) {
    node.spawn(Sink, { name: 'sink', args: counter });
    return { commands: { mark } };
  }
  const sink = { node: Addr.parse(o.target), name: 'sink' };
  const chunk = Buffer.alloc(o.chunk, 7);
  let running = false;
  let loop: Promise<void> = Promise.resolve();
  let bulk: TroupeStream | undefined;
  return {
    commands: {
      mark,
      start() {
        running = true;
        bulk ??= ext.open(sink);
        loop = writeLoop(bulk, chunk, () => running, { bytes: 0 });
      },
      async stop() {
        running = false;
        await loop;
      },
      /** `streams` streams written at once for `durationMs`; with `stall`, the first one's reader never reads. */
      async multi(arg: { streams: number; stall: boolean; warmupMs: number; durationMs: number }) {
        const open = Array.from({ length: arg.streams }, (_, i) =>
          ext.open(sink, { meta: { stall: arg.stall && i === 0 } }),
        );
        const counted = open.map(() => ({ bytes: 0 }));
        let go = true;
        const loops = open.map((s, i) => writeLoop(s, chunk, () => go, counted[i]!));
        await new Promise((r) => setTimeout(r, arg.warmupMs));
        const from = counted.map((c) => c.bytes);
        const t0 = performance.now();
        await new Promise((r) => setTimeout(r, arg.durationMs));
        const seconds = (performance.now() - t0) / 1000;
        const rates = counted.map((c, i) => (c.bytes - from[i]!) / seconds);
        go = false;
        for (const s of open) s.destroy();
        await Promise.all(loops);
        const flowing = arg.stall ? rates.slice(1) : rates;
        return { value: flowing.reduce((a, b) => a + b, 0) / flowing.length };
      },
    },
  };
});
