// Server processes of the gateway scenarios: a Troupe gateway node, a Troupe backend node, and the
// baselines (a hand-written ws -> TCP -> ws relay, its TCP echo, a bare `ws` server).
import { createServer, connect as tcpConnect } from 'node:net';
import { encodeFrame, FrameReader } from '@troupe/client/wire';
import { type GatewayExtension, type GatewayMessage, gateway, gatewayBackend } from '@troupe/gateway';
import { defineActor, Node, staticMembership } from '@troupe/runtime';
import { WebSocket, WebSocketServer } from 'ws';
import { type Peer, servePeer } from '../peer.js';

/** Which server this worker runs. */
export type ServerOptions =
  | { role: 'gateway'; self: string; members: Array<{ addr: string; port: number }> }
  | { role: 'backend'; self: string; members: Array<{ addr: string; port: number }> }
  | { role: 'tcp-echo' }
  | { role: 'relay'; echoPort: number }
  | { role: 'bare-ws' };

/** msgId of the broadcast push and of the echo route. */
export const BROADCAST_MSG_ID = 4;
export const ECHO_MSG_ID = 1;
const SECRET = 'bench-gateway-secret';

const now = () => performance.timeOrigin + performance.now();

function rss(): number {
  for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss;
}

function nodeOptions(o: { self: string; members: Array<{ addr: string; port: number }> }) {
  const me = o.members.find((m) => m.addr === o.self)!;
  return {
    addr: o.self,
    secret: SECRET,
    listen: { host: '127.0.0.1', port: me.port },
    membership: staticMembership(o.members.map((m) => ({ ...m, host: '127.0.0.1' }))),
  };
}

const Echo = defineActor({
  init: () => ({}),
  handlers: {
    echo(_s, m: GatewayMessage<Uint8Array>) {
      return m.data;
    },
  },
});

servePeer<ServerOptions>(async (o): Promise<Peer> => {
  switch (o.role) {
    case 'gateway': {
      const ext: GatewayExtension = gateway({
        ws: { host: '0.0.0.0', port: 0 },
        tcp: false,
        kvRoutes: false,
        routes: [{ msgId: ECHO_MSG_ID, rule: 'pass', codec: 'raw', service: 2, handler: 'echo' }],
        maxOutboundBytes: 8 * 1024 * 1024,
      });
      await Node.start({ ...nodeOptions(o), extensions: [ext] });
      const url = ext.addresses().ws!.replace('0.0.0.0', '127.0.0.1');
      return {
        info: { url },
        commands: { rss, sessions: () => ext.stats().sessions },
      };
    }
    case 'backend': {
      const backend = gatewayBackend();
      const node = await Node.start({ ...nodeOptions(o), extensions: [backend] });
      node.spawn(Echo, { name: 'service' });
      const payload = new Uint8Array(64).fill(7);
      return {
        commands: {
          /** Broadcasts 64 bytes to every session; returns when it was sent (epoch ms). */
          broadcast: () => {
            const t = now();
            backend.broadcast(BROADCAST_MSG_ID, payload);
            return t;
          },
        },
      };
    }
    case 'tcp-echo': {
      const server = createServer({ noDelay: true }, (s) => s.on('data', (c) => s.write(c)));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      return { info: { port: (server.address() as { port: number }).port }, commands: {} };
    }
    case 'relay': {
      // The hand-written relay: each WebSocket message goes to the echo process over one TCP link
      // (frames re-read there), and what comes back goes to the client that sent it, in order.
      const upstream = tcpConnect({ host: '127.0.0.1', port: o.echoPort, noDelay: true });
      await new Promise<void>((r) => upstream.once('connect', () => r()));
      const waiting: WebSocket[] = [];
      const reader = new FrameReader(1 << 20);
      upstream.on('data', (chunk) =>
        reader.push(chunk, (msgId, payload) => waiting.shift()?.send(encodeFrame(msgId, payload))),
      );
      const wss = new WebSocketServer({ host: '0.0.0.0', port: 0, perMessageDeflate: false });
      wss.on('connection', (ws) =>
        ws.on('message', (data) => {
          waiting.push(ws);
          upstream.write(data as Buffer);
        }),
      );
      await new Promise<void>((r) => wss.once('listening', () => r()));
      return { info: { url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}` }, commands: {} };
    }
    case 'bare-ws': {
      const wss = new WebSocketServer({ host: '0.0.0.0', port: 0, perMessageDeflate: false });
      const frame = encodeFrame(BROADCAST_MSG_ID, new Uint8Array(64).fill(7));
      await new Promise<void>((r) => wss.once('listening', () => r()));
      return {
        info: { url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}` },
        commands: {
          rss,
          sessions: () => wss.clients.size,
          /** The naive loop: one `ws.send` per socket. */
          broadcast: () => {
            const t = now();
            for (const ws of wss.clients) if (ws.readyState === WebSocket.OPEN) ws.send(frame);
            return t;
          },
        },
      };
    }
  }
});
