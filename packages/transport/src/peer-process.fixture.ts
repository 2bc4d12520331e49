// A transport in a child process, driven over IPC by tests that need a separate event loop.
// argv[2]: JSON { addr, incarnation, downTimeoutMs?, heartbeatIntervalMs?, peers: { [addr]: port } }.
import { Addr } from './addr.js';
import { stallEventLoop } from './testing/wait.js';
import { TcpTransport } from './transport.js';

/** Messages from the test to the child. */
export type ToPeer =
  | { type: 'stall'; ms: number }
  | { type: 'send'; to: number; body: string }
  | { type: 'close' };
/** Messages from the child to the test. */
export type FromPeer =
  | { type: 'ready'; port: number }
  | { type: 'up'; peer: number; incarnation: string }
  | { type: 'down'; peer: number; reason: string }
  | { type: 'frame'; via: number; body: string }
  | { type: 'stalled'; ms: number };

const config = JSON.parse(process.argv[2]!) as {
  addr: string;
  incarnation: string;
  downTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  peers: Record<string, number>;
};
const tell = (m: FromPeer) => process.send!(m);
const self = Addr.parse(config.addr);

const transport = await TcpTransport.start({
  addr: self,
  clusterId: 'test-cluster',
  secret: 'test-secret',
  incarnation: config.incarnation,
  resolve: (peer) => {
    const port = config.peers[Addr.format(peer)];
    return port === undefined ? undefined : { host: '127.0.0.1', port };
  },
  ...(config.downTimeoutMs === undefined ? {} : { downTimeoutMs: config.downTimeoutMs }),
  ...(config.heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs: config.heartbeatIntervalMs }),
});
transport.on('up', (peer, info) => tell({ type: 'up', peer, incarnation: info.incarnation }));
transport.on('down', (peer, reason) => tell({ type: 'down', peer, reason }));
// Echo: every frame goes back to where it came from, and is reported.
transport.onFrame = (frame, via) => {
  tell({ type: 'frame', via, body: frame.body.toString() });
  transport.send(via, frame.kind, frame.flags, 0, self, frame.body);
};

process.on('message', (m: ToPeer) => {
  if (m.type === 'stall') {
    stallEventLoop(m.ms);
    tell({ type: 'stalled', ms: m.ms });
  } else if (m.type === 'send') {
    transport.send(m.to as Addr, 16, 1, 0, self, Buffer.from(m.body));
  } else if (m.type === 'close') {
    void transport.close().then(() => process.exit(0));
  }
});
process.on('disconnect', () => {
  transport.destroy();
  process.exit(0);
});
tell({ type: 'ready', port: transport.port });
