// Worker for Troupe's remote sides: one node per process, with sinks, an echo, a sender and/or a caller on it.
import { serveMetrics } from '@troupe/dashboard';
import { type ActorRef, Addr, Node, staticMembership } from '@troupe/runtime';
import { Meter, type Peer, servePeer } from '../peer.js';
import { makeBody } from '../workload.js';
import { Echo, Sender, Sink } from './actors.js';
import type { Member, NodeWorkerOptions, Target } from './cluster.js';
import { cpuUs, type UsageMark, WatchProfiler } from './metrics-account.js';
import { Pump } from './pump.js';

/** The cluster secret every bench node shares. */
const SECRET = 'troupe-bench';
/** How long the first ask to a peer may keep failing while that peer's process is still starting. */
const REACH_TIMEOUT_MS = 20_000;

function startNode(self: string, members: readonly Member[]): Promise<Node> {
  const port = members.find((m) => m.addr === self)?.port;
  if (port === undefined) throw new Error(`${self} is not in the member list`);
  return Node.start({
    addr: self,
    secret: SECRET,
    listen: { port },
    membership: staticMembership(members.map((m) => ({ addr: m.addr, port: m.port }))),
  });
}

const id = (t: Target) => ({ node: Addr.parse(t.node), name: t.name });

/** Asks until the answer comes: opens the link (and the harbor path) before anything is measured. */
async function reach(ask: () => Promise<unknown>): Promise<void> {
  const deadline = performance.now() + REACH_TIMEOUT_MS;
  for (;;) {
    try {
      await ask();
      return;
    } catch (err) {
      if (performance.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** `inFlight` loops, each awaiting one echo of a fresh body at a time, every round trip timed. */
function caller(echo: ActorRef<typeof Echo>, inFlight: number, meter: Meter) {
  let running = false;
  let seq = 0;
  let loops: Promise<unknown> = Promise.resolve();
  const loop = async (): Promise<void> => {
    while (running) {
      const t0 = performance.now();
      await echo.call.echo(makeBody(seq++));
      meter.hit(performance.now() - t0);
    }
  };
  return {
    start() {
      running = true;
      loops = Promise.all(Array.from({ length: inFlight }, loop));
      // Held for `stop`, which reports a failed ask; until then it must not count as unhandled.
      loops.catch(() => {});
    },
    async stop() {
      running = false;
      await loops;
    },
  };
}

servePeer<NodeWorkerOptions>(async (o) => {
  const node = await startNode(o.self, o.members);
  const meter = new Meter();
  for (let i = 0; i < (o.sinks ?? 0); i++) node.spawn(Sink, { name: `sink-${i}`, args: { meter } });
  if (o.echo === true) node.spawn(Echo, { name: 'echo' });
  const commands: Peer['commands'] = { mark: () => meter.mark() };

  if (o.tell !== undefined) {
    const sender = node.spawn(Sender, { name: 'sender', args: { targets: o.tell.targets.map(id) } });
    const probes = o.tell.probes.map((t) => node.ref<typeof Sink>(id(t)));
    for (const probe of probes) await reach(() => probe.call.count());
    const pump = new Pump(sender, probes);
    commands.start = () => pump.start();
    commands.stop = () => pump.stop();
  }
  if (o.ask !== undefined) {
    const echo = node.ref<typeof Echo>(id(o.ask.target));
    await reach(() => echo.call.echo(makeBody(0)));
    const loops = caller(echo, o.ask.inFlight, meter);
    commands.start = () => loops.start();
    commands.stop = () => loops.stop();
  }
  if (o.metrics === true)
    return { commands: { ...commands, ...watchCommands(meter) }, info: await metricsInfo(node) };
  return { commands };
});

/** What metrics-cost asks a node serving metrics: marks with CPU time, and profiled accounts of the watch. */
function watchCommands(meter: Meter): Peer['commands'] {
  const profiler = new WatchProfiler();
  return {
    usage: (): UsageMark => ({ ...meter.mark(), cpuUs: cpuUs() }),
    accountStart: () => profiler.start(),
    accountStop: () => profiler.stop(),
  };
}

async function metricsInfo(node: Node): Promise<{ metricsUrl: string }> {
  return { metricsUrl: `${(await serveMetrics(node)).url}/metrics` };
}
