// The gateway over real sockets, both transports: framing, limits, rules, requests, sessions, pushes.
import { encodeFrame, unpack } from '@troupe/client/wire';
import { issueTicket } from '@troupe/gateway';
import { waitFor } from '@troupe/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RawClient, type Via } from './fixtures/gateway-client.js';
import { type GatewayCluster, startGatewayCluster } from './fixtures/gateway-cluster.js';

let cluster: GatewayCluster | undefined;
/** Link heartbeats far apart, so a count of link frames sees only the test's own traffic. */
const QUIET_LINKS = { link: { downTimeoutMs: 60_000, heartbeatIntervalMs: 30_000 } };
const clients: RawClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await cluster?.close();
  cluster = undefined;
});

async function client(via: Via, gatewayIndex = 0): Promise<RawClient> {
  const c = await RawClient.connect(via === 'tcp' ? cluster!.tcp(gatewayIndex) : cluster!.ws(gatewayIndex));
  clients.push(c);
  return c;
}

describe.each<Via>(['tcp', 'ws'])('gateway over %s', (via) => {
  it('answers a request with the backend reply, and a plain frame with a push of the same msgId', async () => {
    cluster = await startGatewayCluster();
    const c = await client(via);
    expect(await c.call(8, { a: 2, b: 40 })).toEqual({ status: 0, body: { sum: 42 } });
    c.send(8, { a: 1, b: 1 });
    const push = await c.next((f) => f.msgId === 8);
    expect(unpack(push.payload)).toEqual({ sum: 2 });
    const raw = await c.call(1, new Uint8Array([1, 2, 3]), true);
    expect([...raw.body]).toEqual([1, 2, 3]);
  });

  it('decodes frames split byte by byte and many frames coalesced in one chunk', async () => {
    cluster = await startGatewayCluster();
    const c = await client(via);
    const frames = [1, 2, 3].map((i) => encodeFrame(1, new Uint8Array([i, i])));
    const all = Buffer.concat(frames);
    if (via === 'tcp') for (const byte of all) c.raw(new Uint8Array([byte]));
    else c.raw(all); // one WebSocket message carries several whole frames
    c.raw(Buffer.concat(frames));
    await c.next((f) => f.msgId === 1 && f.payload[0] === 3, 5000, 3);
    const echoes = c.frames.filter((f) => f.msgId === 1).map((f) => f.payload[0]);
    expect(echoes).toEqual([1, 2, 3, 1, 2, 3]);
  });

  it('echoes heartbeats', async () => {
    cluster = await startGatewayCluster();
    const c = await client(via);
    c.raw(encodeFrame(0, new Uint8Array([7])));
    const hb = await c.next((f) => f.msgId === 0);
    expect([...hb.payload]).toEqual([7]);
  });

  it('refuses blocked, unknown and unauthorised routes with notices, never reaching a backend', async () => {
    cluster = await startGatewayCluster();
    const c = await client(via);
    c.send(7, {});
    expect((await c.notice('BLOCKED')).message).toMatch(/msgId 7/);
    const unknown = await c.call(99, {});
    expect(unknown).toMatchObject({ status: 1, body: { code: 'BLOCKED' } });
    const whoami = await c.call(3, {});
    expect(whoami).toMatchObject({ status: 1, body: { code: 'UNAUTHORIZED' } });
    expect(cluster.gateways[0]!.stats().refusals).toMatchObject({ BLOCKED: 2, UNAUTHORIZED: 1 });
    // The same counters reach node.stats() through the extension's stats section.
    const section = cluster.gatewayNodes[0]!.stats().extensions.gateway as {
      refusals: Record<string, number>;
    };
    expect(section.refusals).toMatchObject({ BLOCKED: 2, UNAUTHORIZED: 1 });
    // The connection stays usable.
    expect(await c.call(8, { a: 1, b: 2 })).toMatchObject({ status: 0 });
  });

  it('closes the one connection that sends an oversize frame, with a notice', async () => {
    cluster = await startGatewayCluster({ gateway: { maxFrame: 1024 } });
    const bad = await client(via);
    const good = await client(via);
    bad.raw(encodeFrame(1, new Uint8Array(2000)));
    expect((await bad.notice('FRAME_TOO_LARGE')).message).toMatch(/2000/);
    await bad.closedByServer();
    expect(await good.call(8, { a: 1, b: 1 })).toMatchObject({ body: { sum: 2 } });
  });

  it('closes a connection sending garbage: a refused msgId, bad msgpack', async () => {
    cluster = await startGatewayCluster();
    const a = await client(via);
    a.raw(encodeFrame(8, new Uint8Array(0)).fill(0x90, 0, 4));
    expect((await a.notice('PROTOCOL_ERROR')).message).toMatch(/refused msgId 0x90909090/);
    await a.closedByServer();
    const b = await client(via);
    b.raw(encodeFrame(8, new Uint8Array([0x93, 0x01])));
    expect((await b.notice('PROTOCOL_ERROR')).message).toMatch(/not valid msgpack/);
    await b.closedByServer();
    const c = await client(via);
    c.raw(encodeFrame(8, new Uint8Array([0xc1])));
    await c.notice('PROTOCOL_ERROR');
    await c.closedByServer();
    expect(cluster.gateways[0]!.stats().refusals.PROTOCOL_ERROR).toBe(3);
  });

  it('logs in, passes auth routes, and tells the client which gateway it is on', async () => {
    cluster = await startGatewayCluster();
    const c = await client(via);
    expect(await c.call(2, { uid: 'ada' })).toEqual({ status: 0, body: { uid: 'ada' } });
    expect(await c.call(3, {})).toEqual({ status: 0, body: { uid: 'ada', gateway: '1.1.1' } });
  });

  it('reports backend errors and timeouts as failed responses', async () => {
    cluster = await startGatewayCluster({ gateway: { requestTimeoutMs: 300 } });
    const c = await client(via);
    const boom = await c.call(10, {});
    expect(boom).toMatchObject({ status: 1, body: { code: 'BACKEND_ERROR', message: 'the handler failed' } });
    expect(await c.call(11, {})).toMatchObject({ status: 1, body: { code: 'TIMEOUT' } });
  });

  it('uses the json codec for json routes', async () => {
    cluster = await startGatewayCluster();
    const c = await client(via);
    const id = c.request(14, new TextEncoder().encode('{"a":3,"b":4}'));
    const r = await c.response(id, true);
    expect(JSON.parse(new TextDecoder().decode(r.body))).toEqual({ sum: 7 });
  });

  it('kicks a session on request, with the reason in the notice', async () => {
    cluster = await startGatewayCluster();
    const c = await client(via);
    await c.call(2, { uid: 'kim' });
    c.send(6, {});
    expect((await c.notice('KICKED')).message).toBe('bye');
    await c.closedByServer();
  });
});

describe('gateway limits', () => {
  it('refuses a WebSocket text message with PROTOCOL_ERROR', async () => {
    cluster = await startGatewayCluster();
    const ws = new WebSocket(cluster.ws());
    const received: Array<{ code: string }> = [];
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.on('message', (data) => {
      const bytes = new Uint8Array(data as Buffer);
      received.push(unpack(bytes.subarray(8)) as { code: string });
    });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send('hello');
    await closed;
    expect(received).toMatchObject([{ code: 'PROTOCOL_ERROR' }]);
  });

  it('answers TOO_MANY_REQUESTS past maxInFlight per session', async () => {
    cluster = await startGatewayCluster({ gateway: { maxInFlight: 2, requestTimeoutMs: 1000 } });
    const c = await client('tcp');
    const ids = [c.request(11, {}), c.request(11, {}), c.request(11, {})];
    expect(await c.response(ids[2]!)).toMatchObject({ status: 1, body: { code: 'TOO_MANY_REQUESTS' } });
    expect(await c.response(ids[0]!)).toMatchObject({ status: 1, body: { code: 'TIMEOUT' } });
    expect(await c.call(8, { a: 1, b: 1 })).toMatchObject({ body: { sum: 2 } });
  });
});

describe('gateway routes', () => {
  it('serves a route put in the membership KV at once, and blocks it again when deleted', async () => {
    cluster = await startGatewayCluster();
    const c = await client('tcp');
    expect(await c.call(30, { a: 1, b: 2 })).toMatchObject({ status: 1, body: { code: 'BLOCKED' } });
    const kv = cluster.gatewayNodes[0]!.kv;
    await kv.put(
      'routes/sum',
      JSON.stringify({ msgId: 30, name: 'sum', rule: 'pass', service: 2, handler: 'add' }),
    );
    await waitFor(() => cluster!.gateways[0]!.routes().some((r) => r.msgId === 30), 2000, 'the KV route');
    expect(await c.call(30, { a: 1, b: 2 })).toEqual({ status: 0, body: { sum: 3 } });
    await kv.delete('routes/sum');
    await waitFor(
      () => !cluster!.gateways[0]!.routes().some((r) => r.msgId === 30),
      2000,
      'the route removed',
    );
    expect(await c.call(30, { a: 1, b: 2 })).toMatchObject({ status: 1, body: { code: 'BLOCKED' } });
  });

  it('replaces routes from code live, and answers BACKEND_UNAVAILABLE for a service with no member', async () => {
    cluster = await startGatewayCluster();
    const c = await client('ws');
    cluster.gateways[0]!.setRoutes([{ msgId: 8, rule: 'pass', service: 9, handler: 'add' }]);
    expect(await c.call(8, { a: 1, b: 2 })).toMatchObject({
      status: 1,
      body: { code: 'BACKEND_UNAVAILABLE' },
    });
    expect(await c.call(2, { uid: 'x' })).toMatchObject({ status: 1, body: { code: 'BLOCKED' } });
  });
});

describe('backend strategies', () => {
  it('hash keeps a uid on one backend, roundRobin alternates, bound follows bind', async () => {
    cluster = await startGatewayCluster({ backends: 2 });
    const [b1, b2] = cluster.backendNodes.map((n) => n.addr);
    const c = await client('tcp');
    await c.call(2, { uid: 'ada' });
    const hashed = new Set<number>();
    for (let i = 0; i < 6; i++) hashed.add((await c.call(17, {})).body);
    expect(hashed.size).toBe(1);
    const rr = [];
    for (let i = 0; i < 4; i++) rr.push((await c.call(18, {})).body);
    expect(new Set(rr).size).toBe(2);
    expect(rr[0]).not.toBe(rr[1]);
    expect(rr[0]).toBe(rr[2]);
    // `bind` runs on whichever backend answered msgId 9; bound routes then always go there.
    const bound = (await c.call(9, {})).body;
    expect([b1, b2]).toContain(bound);
    for (let i = 0; i < 6; i++) expect((await c.call(19, {})).body).toBe(bound);
  });

  it('pushes to a group only, and multicasts to listed sessions on several gateways', async () => {
    cluster = await startGatewayCluster({ gateways: 2, nodeOptions: QUIET_LINKS });
    const [a, b, c] = [await client('tcp', 0), await client('ws', 1), await client('tcp', 1)];
    for (const [i, x] of [a, b, c].entries()) await x.call(2, { uid: `u${i}` });
    await a.call(12, { group: 'room' });
    await b.call(12, { group: 'room' });
    await c.call(21, { group: 'room', text: 'to the room' });
    for (const x of [a, b])
      expect(unpack((await x.next((f) => f.msgId === 4)).payload)).toMatchObject({ text: 'to the room' });
    const ids = [(await a.call(23, {})).body, (await c.call(23, {})).body];
    const framesBefore = linkFramesOut(cluster);
    await b.call(22, { to: ids, text: 'to a and c' });
    for (const x of [a, c])
      await x.next((f) => f.msgId === 4 && (unpack(f.payload) as { text: string }).text === 'to a and c');
    expect(c.frames.filter((f) => f.msgId === 4)).toHaveLength(1);
    // The call's reply and one message per gateway (two gateways hold the two sessions).
    expect(linkFramesOut(cluster) - framesBefore).toBe(3);
  });
});

describe('gateway sessions across gateways', () => {
  it('replaces the first session of a uid logged in again on another gateway', async () => {
    cluster = await startGatewayCluster({ gateways: 2 });
    const first = await client('tcp', 0);
    const second = await client('ws', 1);
    await first.call(2, { uid: 'ada' });
    await second.call(2, { uid: 'ada' });
    await first.notice('REPLACED');
    await first.closedByServer();
    expect(await second.call(3, {})).toMatchObject({ body: { uid: 'ada', gateway: '1.1.2' } });
  });

  it('keeps exactly one session when the same uid logs in on two gateways at once, by ticket and by login', async () => {
    const secret = 'a-ticket-secret-for-the-race';
    cluster = await startGatewayCluster({ gateways: 2, gateway: { ticketSecret: secret } });
    const probe = await client('tcp', 0);
    await probe.call(2, { uid: 'probe' });
    for (let round = 0; round < 6; round++) {
      const uid = `race${round}`;
      const [a, b] = [await client('tcp', 0), await client('ws', 1)];
      if (round % 2 === 0) {
        a.hello({ ticket: issueTicket(secret, { uid, gateway: '1.1.1' }) });
        b.hello({ ticket: issueTicket(secret, { uid, gateway: '1.1.2' }) });
      } else {
        a.request(2, { uid });
        b.request(2, { uid });
      }
      await waitFor(() => a.closed || b.closed, 5000, 'one of the two to be replaced');
      const survivor = a.closed ? b : a;
      expect((await survivor.call(3, {})).body).toMatchObject({ uid });
      expect(await probe.call(5, { to: uid, text: 'still there?' })).toMatchObject({ status: 0 });
      await survivor.next((f) => f.msgId === 5);
      expect(a.closed && b.closed).toBe(false);
    }
  });

  it('refuses a second login of a live uid with the refuse policy', async () => {
    cluster = await startGatewayCluster({ gateways: 2, gateway: { duplicateLogin: 'refuse' } });
    const first = await client('tcp', 0);
    const second = await client('tcp', 1);
    await first.call(2, { uid: 'bob' });
    expect(await second.call(2, { uid: 'bob' })).toMatchObject({
      status: 1,
      body: { code: 'DUPLICATE_LOGIN' },
    });
    expect(await first.call(3, {})).toMatchObject({ body: { uid: 'bob' } });
    expect(await second.call(3, {})).toMatchObject({ status: 1, body: { code: 'UNAUTHORIZED' } });
  });

  it('lets a uid log in again at once after its session closed (no stale claim)', async () => {
    cluster = await startGatewayCluster({ gateways: 2, gateway: { duplicateLogin: 'refuse' } });
    for (let round = 0; round < 5; round++) {
      const c = await client(round % 2 === 0 ? 'tcp' : 'ws', round % 2);
      expect(await c.call(2, { uid: 'cy' })).toMatchObject({ status: 0 });
      c.send(6, {});
      await c.closedByServer();
    }
  });

  it('reaches a uid on another gateway (tell), and says when it is offline', async () => {
    cluster = await startGatewayCluster({ gateways: 2 });
    const ada = await client('tcp', 0);
    const bob = await client('ws', 1);
    await ada.call(2, { uid: 'ada' });
    await bob.call(2, { uid: 'bob' });
    expect(await ada.call(5, { to: 'bob', text: 'hi' })).toMatchObject({ status: 0 });
    const told = await bob.next((f) => f.msgId === 5);
    expect(unpack(told.payload)).toEqual({ from: 'ada', text: 'hi' });
    expect(await ada.call(5, { to: 'zed', text: 'hi' })).toMatchObject({ body: { error: 'offline' } });
  });

  it('broadcasts with one link frame per gateway and the frame encoded once per gateway', async () => {
    cluster = await startGatewayCluster({ gateways: 2, nodeOptions: QUIET_LINKS });
    const all: RawClient[] = [];
    for (let i = 0; i < 20; i++) {
      const c = await client(i % 2 === 0 ? 'tcp' : 'ws', i % 2);
      await c.call(2, { uid: `u${i}` });
      all.push(c);
    }
    const backend = cluster.backends[0]!;
    const before = cluster.gateways.map((g) => g.stats().fanoutIn);
    const framesBefore = linkFramesOut(cluster);
    backend.broadcast(4, { from: 'system', text: 'hello all' });
    for (const c of all) await c.next((f) => f.msgId === 4);
    expect(cluster.gateways.map((g) => g.stats().fanoutIn - before[cluster!.gateways.indexOf(g)]!)).toEqual([
      1, 1,
    ]);
    expect(linkFramesOut(cluster) - framesBefore).toBe(2);
    expect(cluster.gateways.map((g) => g.stats().routes.shout?.framesOut)).toEqual([1, 1]);
  });
});

/** Frames the backend node wrote to its links. */
function linkFramesOut(c: GatewayCluster): number {
  return c.backendNodes[0]!.stats().transport.framesOut;
}
