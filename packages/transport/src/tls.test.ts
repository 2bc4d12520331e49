import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { Addr } from './addr.js';
import { OptionError } from './errors.js';
import { FrameFlag, FrameKind } from './frame.js';
import { resolveOptions } from './options.js';
import { RawPeer } from './testing/raw-peer.js';
import { TestNet } from './testing/test-net.js';
import { makeTestCredentials } from './testing/tls.js';
import { once, waitFor } from './testing/wait.js';

const A = Addr.parse('1.1.1');
const B = Addr.parse('1.1.2');
const USER = FrameKind.User;
const RAW = FrameFlag.Raw;
const [mine, alsoMine] = makeTestCredentials(2);
const [foreign] = makeTestCredentials(1);

let net_: TestNet;
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await net_.closeAll();
});

/** A TCP relay that records every byte passing from the dialer to `port`. */
async function tap(port: number): Promise<{ port: number; seen: () => Buffer }> {
  const chunks: Buffer[] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port });
    sockets.push(client, upstream);
    client.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as net.AddressInfo).port, seen: () => Buffer.concat(chunks) };
}

async function sendThroughTap(options: Parameters<TestNet['start']>[1]) {
  net_ = new TestNet(options);
  const a = await net_.start(A);
  const b = await net_.start(B);
  const relay = await tap(b.port);
  net_.ports.set(B, relay.port);
  a.send(B, USER, RAW, 0, A, Buffer.from('the-launch-codes'));
  const [f] = await once(b.inbox, 'frame', 3000);
  expect(f.body.toString()).toBe('the-launch-codes');
  return relay.seen();
}

describe('TLS links', () => {
  it('a plain link carries frames in the clear; a TLS link does not', async () => {
    expect((await sendThroughTap({})).includes('the-launch-codes')).toBe(true);
    await net_.closeAll();
    const wire = await sendThroughTap({ tls: mine! });
    expect(wire.length).toBeGreaterThan(0);
    expect(wire.includes('the-launch-codes')).toBe(false);
    // A TLS record header: handshake (22), version 3.x.
    expect([wire[0], wire[1]]).toEqual([22, 3]);
  });

  it('nodes with two certificates from the same CA link up', async () => {
    net_ = new TestNet();
    const a = await net_.start(A, { tls: mine! });
    const b = await net_.start(B, { tls: alsoMine! });
    a.send(B, USER, RAW, 0, A, Buffer.from('hi'));
    await once(b.inbox, 'frame', 3000);
    expect(a.isUp(B)).toBe(true);
  });

  it('a certificate from another CA is refused by both ends; nothing is delivered', async () => {
    net_ = new TestNet();
    const a = await net_.start(A, { tls: mine! });
    const b = await net_.start(B, { tls: foreign! });
    const down = once<[Addr, string]>(a, 'down', 3000);
    a.send(B, USER, RAW, 0, A, Buffer.from('hi'));
    expect((await down)[1]).toMatch(/certificate/);
    expect(b.inbox.frames).toHaveLength(0);
    b.send(A, USER, RAW, 0, B, Buffer.from('hi'));
    await waitFor(() => (a.stats().handshakesRefused.TLS ?? 0) >= 1, 3000, 'a refuses the foreign client');
    expect(a.inbox.frames).toHaveLength(0);
  });

  it('a client without a certificate, or speaking plain TCP, is refused and counted', async () => {
    net_ = new TestNet();
    const a = await net_.start(A, { tls: mine! });
    const errors: Error[] = [];
    a.on('error', (e) => errors.push(e));
    const anonymous = tls.connect({
      host: '127.0.0.1',
      port: a.port,
      ca: mine!.ca,
      checkServerIdentity: () => undefined,
    });
    anonymous.on('error', () => {});
    closers.push(() => anonymous.destroy());
    const plain = net_.trackPeer(await RawPeer.connect(a.port));
    plain.write(Buffer.from('not a TLS ClientHello at all, just bytes'));
    await plain.whenClosed(3000);
    await waitFor(() => (a.stats().handshakesRefused.TLS ?? 0) >= 2, 3000, 'both refused');
    expect(errors[0]?.message).toMatch(/TLS handshake failed/);
    expect(a.linkStats()).toEqual([]);
  });

  it('a pre-shared key links nodes that hold it, encrypted; a node with another key is refused', async () => {
    const psk = { identity: 'troupe-cluster', key: Buffer.alloc(32, 0x5a) };
    const wire = await sendThroughTap({ tls: { psk } });
    expect(wire.includes('the-launch-codes')).toBe(false);
    await net_.closeAll();
    net_ = new TestNet();
    const a = await net_.start(A, { tls: { psk } });
    const b = await net_.start(B, { tls: { psk: { ...psk, key: Buffer.alloc(32, 0x11) } } });
    const down = once<[Addr, string]>(b, 'down', 3000);
    b.send(A, USER, RAW, 0, B, Buffer.from('hi'));
    await down;
    await waitFor(() => (a.stats().handshakesRefused.TLS ?? 0) >= 1, 3000, 'a refuses the wrong key');
    expect(a.inbox.frames).toHaveLength(0);
  });

  it('checks a pre-shared key and its identity', () => {
    const base = { addr: A, clusterId: 'c', secret: 's', incarnation: 'i', resolve: () => undefined };
    const key = Buffer.alloc(32, 1);
    expect(() => resolveOptions({ ...base, tls: { psk: { identity: '', key } } })).toThrow(
      'option tls.psk.identity:',
    );
    expect(() => resolveOptions({ ...base, tls: { psk: { identity: 'x', key: Buffer.alloc(8) } } })).toThrow(
      'option tls.psk.key:',
    );
  });

  it('refuses TLS options without key, cert or ca, naming the field', () => {
    const base = { addr: A, clusterId: 'c', secret: 's', incarnation: 'i', resolve: () => undefined };
    for (const field of ['key', 'cert', 'ca'] as const) {
      const partial = { ...mine!, [field]: undefined } as unknown as typeof mine;
      expect(() => resolveOptions({ ...base, tls: partial! })).toThrow(OptionError);
      expect(() => resolveOptions({ ...base, tls: partial! })).toThrow(`option tls.${field}:`);
    }
  });
});
