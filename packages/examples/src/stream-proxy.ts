// A TCP proxy through a Troupe stream: node 1.1.1 accepts TCP connections and carries each one in a
// stream to an actor on node 1.2.1, which connects it to a TCP echo server. Stop with Ctrl-C.
import net from 'node:net';
import { defineActor, Node, staticMembership, streams, type TroupeStream } from '@troupe/runtime';
import { freePort } from '@troupe/runtime/testing';

/** On 1.2.1: each stream it receives becomes one TCP connection to `upstream`. */
const Upstream = defineActor({
  init: (upstream: { host: string; port: number }) => upstream,
  handlers: {
    stream(upstream, stream: TroupeStream) {
      const socket = net.connect({ ...upstream, allowHalfOpen: true });
      join(socket, stream);
    },
  },
});

/** Pipes a socket and a stream both ways; either failing tears down the other. */
function join(socket: net.Socket, stream: TroupeStream): void {
  socket.pipe(stream).pipe(socket);
  socket.on('error', () => stream.destroy());
  stream.on('error', () => socket.destroy());
  // A stream reset without an error (its node stopping) ends the connection too.
  stream.on('close', () => {
    if (!stream.readableEnded) socket.destroy();
  });
}

// The echo server stands in for a game server behind the proxy.
const echo = net.createServer({ allowHalfOpen: true }, (socket) => {
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
});
await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
const echoPort = (echo.address() as net.AddressInfo).port;

const [portA, portB] = [await freePort(), await freePort()];
const members = [
  { addr: '1.1.1', host: '127.0.0.1', port: portA },
  { addr: '1.2.1', host: '127.0.0.1', port: portB },
];
const secret = 'stream-proxy-example';
const streamsA = streams();
const b = await Node.start({
  addr: '1.2.1',
  listen: { port: portB },
  secret,
  membership: staticMembership(members),
  extensions: [streams()],
});
const upstream = b.spawn(Upstream, { name: 'upstream', args: { host: '127.0.0.1', port: echoPort } });
const a = await Node.start({
  addr: '1.1.1',
  listen: { port: portA },
  secret,
  membership: staticMembership(members),
  extensions: [streamsA],
});

const proxy = net.createServer({ allowHalfOpen: true }, (socket) => {
  try {
    join(socket, streamsA.open(upstream));
  } catch (err) {
    console.error(`stream refused: ${(err as Error).message}`);
    socket.destroy();
  }
});
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
console.log(JSON.stringify({ proxy: `127.0.0.1:${(proxy.address() as net.AddressInfo).port}` }));

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  proxy.close();
  echo.close();
  await a.stop();
  await b.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
