// The SDK against the real gateway: `pnpm example gateway-echo` in a child process, over WebSocket and TCP,
// with resume across a socket the test cuts (through a TCP proxy) and a kick that closes for good.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connect } from './connect.js';
import { Echo, type EchoExample, startEchoExample } from './echo-example.fixture.js';
import type { ConnectOptions } from './options.js';
import { tcp } from './tcp.js';
import { TcpProxy } from './tcp-proxy.fixture.js';
import type { Client, ClientState, StateChange } from './typed.js';

type EchoClient = Client<typeof Echo>;

let example: EchoExample;
const clients: EchoClient[] = [];
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  example = await startEchoExample();
}, 30_000);

afterAll(async () => {
  expect(await example.stop()).toBe(0);
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const p of proxies.splice(0)) await p.close();
});

const OPTIONS: ConnectOptions<typeof Echo> = {
  protocol: Echo,
  WebSocket,
  reconnect: { minDelayMs: 20, maxDelayMs: 100 },
};

async function open(target: string | ReturnType<typeof tcp>): Promise<EchoClient> {
  const client = await connect<typeof Echo>(target, OPTIONS);
  clients.push(client);
  return client;
}

function nextState(client: EchoClient, state: ClientState, ms = 10_000): Promise<StateChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${state} within ${ms} ms (now ${client.state})`)),
      ms,
    );
    const off = client.on('state', (change) => {
      if (change.state !== state) return;
      clearTimeout(timer);
      off();
      resolve(change);
    });
  });
}

function pushes(client: EchoClient): string[] {
  const got: string[] = [];
  client.on.shout((m) => got.push(`${m.from}: ${m.text}`));
  return got;
}

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

type Gateway = EchoExample['gateways'][number];

// Each transport dials a `host:port`: the gateway's own listener, or the proxy in front of it.
const transports = [
  {
    name: 'WebSocket',
    listener: (gw: Gateway) => gw.ws.slice('ws://'.length),
    dial: (a: string) => `ws://${a}`,
  },
  { name: 'TCP', listener: (gw: Gateway) => gw.tcp, dial: (a: string) => tcp(a) },
];

describe.each(transports)('against gateway-echo over $name', ({ listener, dial }) => {
  it('calls add and echo, logs in, and receives shouts', async () => {
    const gw = example.gateways[0]!;
    const client = await open(dial(listener(gw)));
    expect(client.session).toBeDefined();
    await expect(client.call.add({ a: 1, b: 2 })).resolves.toEqual({ sum: 3 });
    expect(Array.from(await client.call.echo(new Uint8Array([7, 8])))).toEqual([7, 8]);
    await expect(client.call.whoami()).rejects.toMatchObject({ name: 'RemoteError', code: 'UNAUTHORIZED' });
    await client.call.login({ uid: 'ada' });
    await expect(client.call.whoami()).resolves.toEqual({ uid: 'ada', gateway: gw.addr });
    const got = pushes(client);
    client.send.shout({ text: 'hello' });
    await until(() => got.length === 1);
    expect(got).toEqual(['ada: hello']);
    await expect(client.request(99, new Uint8Array(0))).rejects.toMatchObject({ code: 'BLOCKED' });
  });

  it('resumes after its socket is cut and gets the shout it missed, once', async () => {
    const gw = example.gateways[0]!;
    const proxy = await TcpProxy.start(listener(gw));
    proxies.push(proxy);
    const client = await open(dial(`127.0.0.1:${proxy.port}`));
    await client.call.login({ uid: 'bob' });
    const other = await open(dial(listener(gw)));
    await other.call.login({ uid: 'cy' });
    const got = pushes(client);
    proxy.refusing = true;
    const reconnecting = nextState(client, 'reconnecting');
    proxy.cut();
    await reconnecting;
    await other.call.shout({ text: 'while you were away' });
    const back = nextState(client, 'connected');
    proxy.refusing = false;
    expect(await back).toMatchObject({ resumed: true });
    await until(() => got.length >= 1);
    expect(got).toEqual(['cy: while you were away']);
    await expect(client.call.whoami()).resolves.toMatchObject({ uid: 'bob' });
    expect(got).toEqual(['cy: while you were away']);
  });

  it('closes for good when kicked', async () => {
    const client = await open(dial(listener(example.gateways[1]!)));
    await client.call.login({ uid: 'dee' });
    const closed = nextState(client, 'closed');
    client.send.kickme();
    expect((await closed).reason).toBe('KICKED: bye');
  });
});
