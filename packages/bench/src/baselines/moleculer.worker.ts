// Worker for the Moleculer baseline: an `echo` service broker, or a caller keeping requests in flight against it.
import { ServiceBroker } from 'moleculer';
import { Meter, type Peer, servePeer } from '../peer.js';
import { makeBody } from '../workload.js';

export interface MoleculerOptions {
  role: 'echo' | 'caller';
  /** Static TCP ports of the two brokers (UDP discovery is off). */
  echoPort: number;
  callerPort: number;
  /** Concurrent requests, for the caller. */
  inFlight?: number;
}

const ECHO_NODE = 'echo-node';
const CALLER_NODE = 'caller-node';

function broker(o: MoleculerOptions): ServiceBroker {
  const self = o.role === 'echo' ? ECHO_NODE : CALLER_NODE;
  return new ServiceBroker({
    nodeID: self,
    logger: false,
    validator: false,
    metrics: false,
    tracing: false,
    transporter: {
      type: 'TCP',
      options: {
        udpDiscovery: false,
        port: o.role === 'echo' ? o.echoPort : o.callerPort,
        urls: `127.0.0.1:${o.echoPort}/${ECHO_NODE},127.0.0.1:${o.callerPort}/${CALLER_NODE}`,
      },
    },
  });
}

async function echo(o: MoleculerOptions): Promise<Peer> {
  const b = broker(o);
  b.createService({
    name: 'echo',
    actions: {
      echo(ctx) {
        return ctx.params;
      },
    },
  });
  await b.start();
  return { commands: {} };
}

async function caller(o: MoleculerOptions): Promise<Peer> {
  const b = broker(o);
  await b.start();
  await b.waitForServices('echo', 20_000);
  const meter = new Meter();
  let running = false;
  let seq = 0;
  let loops: Promise<void>[] = [];
  const loop = async (): Promise<void> => {
    while (running) {
      const t0 = performance.now();
      await b.call('echo.echo', makeBody(seq++));
      meter.hit(performance.now() - t0);
    }
  };
  return {
    commands: {
      start() {
        running = true;
        loops = Array.from({ length: o.inFlight ?? 1 }, loop);
      },
      async stop() {
        running = false;
        await Promise.all(loops);
      },
      mark: () => meter.mark(),
    },
  };
}

servePeer<MoleculerOptions>((o) => (o.role === 'echo' ? echo(o) : caller(o)));
