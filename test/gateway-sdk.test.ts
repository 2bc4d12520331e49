// @troupe/client against a real gateway, over WebSocket and TCP: typed calls, pushes, and a resume
// after the socket drops (a proxy between them cuts it), with nothing lost or repeated.
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { connect } from '@troupe/client';
import { defineProtocol, type } from '@troupe/client/protocol';
import { tcp } from '@troupe/client/tcp';
import { waitFor } from '@troupe/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from './fixtures/gateway-client.js';
import { type GatewayCluster, startGatewayCluster } from './fixtures/gateway-cluster.js';

const Echo = defineProtocol({
  login: { msgId: 2, rule: 'pass', request: type<{ uid: string }>(), reply: type<{ uid: string }>() },
  whoami: {
    msgId: 3,
    request: type<Record<string, never>>(),
    reply: type<{ uid: string; gateway: string }>(),
  },
  shout: { msgId: 4, request: type<{ text: string }>(), push: type<{ from: string; text: string }>() },
  tell: { msgId: 5, push: type<{ from: string; text: string }>() },
  add: { msgId: 8, rule: 'pass', request: type<{ a: number; b: number }>(), reply: type<{ sum: number }>() },
});

/** A TCP proxy whose live connections the test can cut, and which can refuse new ones meanwhile. */
class CuttingProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  refusing = false;
  constructor(target: { host: string; port: number }) {
    this.#server = createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const upstream = tcpConnect(target);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }
  async listen(): Promise<number> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', () => r()));
    return (this.#server.address() as { port: number }).port;
  }
  cut(): void {
    for (const s of this.#sockets) s.destroy();
  }
  close(): Promise<void> {
    this.cut();
    return new Promise((r) => this.#server.close(() => r()));
  }
}

let cluster: GatewayCluster | undefined;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
  await cluster?.close();
  cluster = undefined;
});

describe.each(['ws', 'tcp'] as const)('@troupe/client against the gateway over %s', (via) => {
  it('calls, receives pushes, and resumes after a cut with every missed push once, in order', async () => {
    cluster = await startGatewayCluster();
    const target = via === 'ws' ? cluster.ws() : cluster.tcp();
    const port = Number(target.split(':').pop());
    const proxy = new CuttingProxy({ host: '127.0.0.1', port });
    const proxyPort = await proxy.listen();
    cleanups.push(() => proxy.close());
    const client = await connect(
      via === 'ws' ? `ws://127.0.0.1:${proxyPort}` : tcp(`127.0.0.1:${proxyPort}`),
      {
        protocol: Echo,
        reconnect: { minDelayMs: 20, maxDelayMs: 100 },
      },
    );
    cleanups.push(() => client.close());
    expect(await client.call.add({ a: 1, b: 2 })).toEqual({ sum: 3 });
    expect(await client.call.login({ uid: 'ada' })).toEqual({ uid: 'ada' });
    const heard: string[] = [];
    client.on(Echo.tell, (p) => heard.push(p.text));
    const shouts: string[] = [];
    client.on(Echo.shout, (p) => shouts.push(p.text));
    client.send.shout({ text: 'hi all' });
    await waitFor(() => shouts.length === 1, 5000, 'the shout');

    const bob = await RawClient.connect(cluster.tcp());
    cleanups.push(() => bob.close());
    await bob.call(2, { uid: 'bob' });
    const states: string[] = [];
    client.on('state', (s) => states.push((s as { state: string }).state));
    proxy.refusing = true;
    proxy.cut();
    await waitFor(() => cluster!.gateways[0]!.stats().detached === 1, 5000, 'the session to detach');
    for (let i = 0; i < 5; i++) bob.send(5, { to: 'ada', text: `t${i}` });
    await waitFor(() => cluster!.gateways[0]!.stats().routes.tell?.framesOut === 5, 5000, 'the tells');
    expect(heard).toEqual([]);
    proxy.refusing = false;
    await waitFor(() => heard.length === 5, 10_000, 'the replayed tells');
    expect(heard).toEqual(['t0', 't1', 't2', 't3', 't4']);
    expect(states).toContain('reconnecting');
    expect(client.state).toBe('connected');
    expect(await client.call.whoami({})).toMatchObject({ uid: 'ada' });
    expect(cluster.gateways[0]!.stats().sessionsResumed).toBe(1);
  });
});
