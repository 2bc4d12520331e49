// `pnpm example gateway-echo`: two gateway nodes (WebSocket + TCP listeners each) and one backend node
// in this process. Prints the gateways' client addresses as its first line (JSON), then serves until
// SIGINT/SIGTERM and exits 0. Routes: docs/client-protocol.md and gateway-echo-service.ts.
import { gateway, gatewayBackend } from '@troupe/gateway';
import { Addr, Node, staticMembership } from '@troupe/runtime';
import { freePort } from '@troupe/runtime/testing';
import { EchoService, echoRoutes } from './gateway-echo-service.js';

const secret = process.env.TROUPE_SECRET ?? 'gateway-echo-example-secret';
const gateways = ['1.1.1', '1.1.2'];
const backendAddr = '1.2.1';
const members: Array<{ addr: string; host: string; port: number }> = [];
for (const addr of [...gateways, backendAddr])
  members.push({ addr, host: '127.0.0.1', port: await freePort() });
const portOf = (addr: string) => members.find((m) => m.addr === addr)!.port;

const nodes: Node[] = [];
const extensions = gateways.map(() => gateway({ routes: echoRoutes }));
const backend = gatewayBackend();
try {
  for (const [i, addr] of gateways.entries())
    nodes.push(
      await Node.start({
        addr,
        secret,
        listen: { host: '127.0.0.1', port: portOf(addr) },
        membership: staticMembership(members),
        extensions: [extensions[i]!],
      }),
    );
  const backendNode = await Node.start({
    addr: backendAddr,
    secret,
    listen: { host: '127.0.0.1', port: portOf(backendAddr) },
    membership: staticMembership(members),
    extensions: [backend],
  });
  nodes.push(backendNode);
  backendNode.spawn(EchoService, { name: 'service', args: { backend } });
} catch (err) {
  await Promise.allSettled(nodes.map((n) => n.stop()));
  throw err;
}

console.log(
  JSON.stringify({
    gateways: gateways.map((addr, i) => ({ addr, ...extensions[i]!.addresses() })),
  }),
);
console.error(`gateway-echo: ${nodes.map((n) => Addr.format(n.addr)).join(', ')} up; Ctrl-C stops`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled(nodes.map((n) => n.stop()));
  // Nothing is left open: the process ends by itself with exit code 0.
  console.error('gateway-echo: stopped');
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
