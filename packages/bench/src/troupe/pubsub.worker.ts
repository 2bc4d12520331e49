// Worker for pubsub-fanout: one node with pub/sub, subscriber sinks on it, and on the publishing node a
// publisher paced by a window of deliveries unconfirmed by one sink per remote node.
import { Addr, defineActor, Node, type Publication, pubsub, staticMembership } from '@troupe/runtime';
import { Meter, servePeer } from '../peer.js';
import { makeBody, TELL_BATCH } from '../workload.js';
import type { Member, Target } from './cluster.js';

export interface PubSubWorkerOptions {
  self: string;
  members: Member[];
  /** Subscriber sinks to spawn and subscribe to the topic, `sub-0`, `sub-1`, ... */
  subscribers: number;
  /** On the publishing node: one subscriber per remote node to confirm deliveries, and the total of subscribers. */
  publish?: { probes: Target[]; total: number };
}

const TOPIC = 'room:bench';
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Counts each publication it receives; `count` answers after every publication queued before it. */
const Subscriber = defineActor({
  init: (meter: Meter) => meter,
  handlers: {
    publication(meter, _p: Publication) {
      meter.hit();
    },
    count(meter) {
      return meter.count;
    },
  },
});

servePeer<PubSubWorkerOptions>(async (o) => {
  const port = o.members.find((m) => m.addr === o.self)!.port;
  const ps = pubsub();
  const node = await Node.start({
    addr: o.self,
    secret: 'troupe-bench',
    listen: { port },
    membership: staticMembership(o.members.map((m) => ({ addr: m.addr, port: m.port }))),
    extensions: [ps],
  });
  const meter = new Meter();
  for (let i = 0; i < o.subscribers; i++) {
    const ref = node.spawn(Subscriber, { name: `sub-${i}`, args: meter });
    await ps.subscribe(TOPIC, ref);
  }
  const commands: Record<string, (arg: any) => unknown> = { mark: () => meter.mark() };
  const publish = o.publish;
  if (publish !== undefined) {
    const probes = publish.probes.map((t) =>
      node.ref<typeof Subscriber>({ node: Addr.parse(t.node), name: t.name }),
    );
    const remote = new Set(publish.probes.map((t) => Addr.parse(t.node)));
    // Subscriptions of nodes started before this one arrive as they come up: wait until all are known.
    const deadline = Date.now() + 20_000;
    while (
      !ps.nodesFor(TOPIC).filter((n) => remote.has(n)).length ||
      ps.nodesFor(TOPIC).length < remote.size + 1
    ) {
      if (Date.now() > deadline) throw new Error(`subscribers not known: ${ps.nodesFor(TOPIC)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    // As many deliveries ahead of the receivers as fanout's sender keeps casts ahead (pump.ts WINDOW).
    const windowPublishes = Math.max(1, Math.floor((64 * TELL_BATCH) / publish.total));
    const perTurn = Math.max(1, Math.floor(TELL_BATCH / publish.total));
    let running = false;
    let loop: Promise<void> = Promise.resolve();
    let sent = 0;
    let confirmed = 0;
    let round: Promise<void> | undefined;
    const confirm = async (upTo: number) => {
      try {
        await Promise.all(probes.map((p) => p.call.count()));
        confirmed = upTo;
      } finally {
        round = undefined;
      }
    };
    const run = async () => {
      while (running) {
        for (let i = 0; i < perTurn; i++) ps.publish(TOPIC, makeBody(sent++));
        round ??= confirm(sent);
        if (sent - confirmed >= windowPublishes) await round;
        await nextTurn();
      }
      await round;
    };
    commands.start = () => {
      running = true;
      loop = run();
      loop.catch(() => {});
    };
    commands.stop = async () => {
      running = false;
      await loop;
    };
  }
  return { commands };
});
