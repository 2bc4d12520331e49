// Sessions following pub/sub topics: room chat across two gateways is one publish, one frame per gateway.
import { unpack } from '@troupe/client/wire';
import {
  type GatewayBackend,
  type GatewayMessage,
  gateway,
  gatewayBackend,
  type RouteSpec,
} from '@troupe/gateway';
import { Addr, defineActor, Node, type PubSub, pubsub, StaticMembership } from '@troupe/runtime';
import { freePort, waitFor } from '@troupe/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from './fixtures/gateway-client.js';

const ROOM_PUSH = 40;
const routes: RouteSpec[] = [
  { msgId: 41, name: 'join', rule: 'pass', service: 2, handler: 'join' },
  { msgId: 42, name: 'say', rule: 'pass', service: 2, handler: 'say' },
  { msgId: 43, name: 'leave', rule: 'pass', service: 2, handler: 'leave' },
];

const Rooms = defineActor({
  init: (args: { backend: GatewayBackend; ps: PubSub }) => args,
  handlers: {
    async join(s, m: GatewayMessage<{ room: string }>) {
      await s.backend.session(m).subscribe(`room:${m.data.room}`, ROOM_PUSH);
      return true;
    },
    async leave(s, m: GatewayMessage<{ room: string }>) {
      await s.backend.session(m).unsubscribe(`room:${m.data.room}`);
      return true;
    },
    say(s, m: GatewayMessage<{ room: string; text: string }>) {
      return s.ps.publish(`room:${m.data.room}`, { from: m.session.id, text: m.data.text });
    },
  },
});

const nodes: Node[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const n of nodes.splice(0).reverse()) await n.stop();
});

async function startRooms(opts: { gatewayPubsub: boolean }) {
  const specs = [
    { addr: '1.1.1', kind: 'gateway' },
    { addr: '1.1.2', kind: 'gateway' },
    { addr: '1.2.1', kind: 'backend' },
  ] as const;
  const members = [];
  for (const s of specs)
    members.push({ addr: Addr.parse(s.addr), host: '127.0.0.1', port: await freePort(), export: false });
  const gateways = [];
  const sockets: string[] = [];
  let backendPs: PubSub | undefined;
  let backend: GatewayBackend | undefined;
  for (const [i, s] of specs.entries()) {
    const ps = pubsub();
    const extensions = [];
    if (s.kind === 'gateway') {
      const g = gateway({
        routes,
        ws: false,
        tcp: { host: '127.0.0.1', port: 0 },
        ...(opts.gatewayPubsub ? { pubsub: ps } : {}),
      });
      gateways.push(g);
      extensions.push(ps, g);
    } else {
      backend = gatewayBackend();
      backendPs = ps;
      extensions.push(ps, backend);
    }
    nodes.push(
      await Node.start({
        addr: s.addr,
        secret: 'gateway-pubsub-secret',
        listen: { host: '127.0.0.1', port: members[i]!.port },
        membership: new StaticMembership({ members }),
        extensions,
      }),
    );
  }
  // A node that dialled a peer before it listened holds it down until its next probe: wait for the
  // gateways' links to the backend, and for the backend to be a pick candidate again.
  const ready = (n: Node) => {
    try {
      n.pick(2);
    } catch {
      return false;
    }
    return n.stats().links.some((l) => l.peer === Addr.parse('1.2.1') && l.state === 'up');
  };
  await waitFor(() => ready(nodes[0]!) && ready(nodes[1]!), 5000, 'both gateways linked to the backend');
  nodes[2]!.spawn(Rooms, { name: 'service', args: { backend: backend!, ps: backendPs! } });
  for (const g of gateways) sockets.push(g.addresses().tcp!);
  return { ps: backendPs!, tcp: sockets };
}

async function client(address: string): Promise<RawClient> {
  const c = await RawClient.connect(address);
  clients.push(c);
  return c;
}

describe('gateway sessions on pub/sub topics', () => {
  it('delivers one publish to the room on both gateways with one frame per gateway, and stops after leave', async () => {
    const { ps, tcp } = await startRooms({ gatewayPubsub: true });
    const a = await client(tcp[0]!);
    const b = await client(tcp[1]!);
    const c = await client(tcp[0]!);
    for (const x of [a, b, c]) expect(await x.call(41, { room: 'lobby' })).toEqual({ status: 0, body: true });
    await waitFor(() => ps.nodesFor('room:lobby').length === 2, 2000, 'both gateways known as subscribers');
    const before = ps.stats().framesOut;

    expect((await a.call(42, { room: 'lobby', text: 'hi' })).status).toBe(0);
    for (const x of [a, b, c]) {
      const push = await x.next((f) => f.msgId === ROOM_PUSH);
      expect(unpack(push.payload)).toMatchObject({ text: 'hi' });
    }
    expect(ps.stats().framesOut - before).toBe(2);

    expect(await c.call(43, { room: 'lobby' })).toEqual({ status: 0, body: true });
    await a.call(42, { room: 'lobby', text: 'second' });
    for (const x of [a, b]) {
      const push = await x.next((f) => f.msgId === ROOM_PUSH && (unpack(f.payload) as any).text === 'second');
      expect(push.msgId).toBe(ROOM_PUSH);
    }
    // c left: after a and b got the second message, c holds only the first.
    await c.call(42, { room: 'lobby', text: 'marker' });
    await a.next((f) => f.msgId === ROOM_PUSH && (unpack(f.payload) as any).text === 'marker');
    const seen = c.frames.filter((f) => f.msgId === ROOM_PUSH).map((f) => (unpack(f.payload) as any).text);
    expect(seen).toEqual(['hi']);
  });

  it('refuses a subscription with NO_PUBSUB when the gateway runs without pub/sub', async () => {
    const { tcp } = await startRooms({ gatewayPubsub: false });
    const a = await client(tcp[0]!);
    expect(await a.call(41, { room: 'lobby' })).toMatchObject({ status: 1, body: { code: 'NO_PUBSUB' } });
  });
});
